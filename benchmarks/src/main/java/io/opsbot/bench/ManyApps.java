package io.opsbot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * An app catalog of many small apps ({@code app001}…), each one instance of 0.01 CPU and 16 MiB, so that a hundred of
 * them and their scaling fit the emulated cluster's three nodes. The local default starts its emulated cluster with
 * the catalog's apps running.
 */
final class ManyApps {

    private ManyApps() {
    }

    static List<String> names(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> String.format("app%03d", i)).toList();
    }

    static Path write(Path dir, int count) throws IOException {
        for (String name : names(count)) {
            Path app = Files.createDirectories(dir.resolve(name));
            Files.writeString(app.resolve("app.yaml"), "# A small app for the throughput benchmark.\nid: /" + name
                    + "\nimage: " + name + "\ninstances: 1\nlimits:\n  minInstances: 1\n  maxInstances: 4\ncpus: 0.01\nmem: 16\n");
            Files.writeString(app.resolve("Dockerfile"), "FROM busybox\nCMD [\"sleep\", \"3600\"]\n");
            Files.writeString(app.resolve("marathon.json.j2"), """
                    {
                      "id": "{{ id }}",
                      "instances": {{ instances }},
                      "cpus": {{ cpus }},
                      "mem": {{ mem }},
                      "container": { "type": "DOCKER", "docker": { "image": "{{ image_ref }}", "network": "BRIDGE" } },
                      "env": {{ env | to_json }},
                      "constraints": {{ constraints | to_json }},
                      "labels": { "opsbot.app": "{{ name }}", "opsbot.version": "{{ version }}" }
                    }
                    """);
        }
        return dir;
    }

    /** The two operations per app: up to 2 instances and back to 1 (the second waits for the first: same app). */
    static List<String> operations(int apps) {
        return names(apps).stream().flatMap(n -> java.util.stream.Stream.of("scale " + n + " 2", "scale " + n + " 1")).toList();
    }
}

package io.opsbot.catalog;

import io.opsbot.engine.OpsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The apps opsbot can deploy: one folder per app under {@code config/apps}, each with an {@code app.yaml},
 * a Marathon template and a Docker build context. Loaded once and immutable; reload by loading again.
 */
public final class AppCatalog {

    private final Map<String, AppSpec> apps;

    private AppCatalog(Map<String, AppSpec> apps) {
        this.apps = Collections.unmodifiableMap(new TreeMap<>(apps));
    }

    /**
     * Reads every {@code <app>/app.yaml} under {@code appsDir} (folders starting with '.' are skipped).
     *
     * @throws OpsException listing every problem of every app at once, each naming its file and field
     */
    public static AppCatalog load(Path appsDir) {
        if (!Files.isDirectory(appsDir)) {
            throw new OpsException("the app catalog folder " + appsDir + " does not exist");
        }
        List<Path> folders;
        try (Stream<Path> entries = Files.list(appsDir)) {
            folders = entries.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new OpsException("cannot read the app catalog folder " + appsDir + ": " + e.getMessage(), e);
        }
        AppReader reader = new AppReader();
        List<String> problems = new ArrayList<>();
        Map<String, AppSpec> apps = new HashMap<>();
        Map<String, String> appByMarathonId = new HashMap<>();
        for (Path folder : folders) {
            AppReader.Result result = reader.read(folder);
            problems.addAll(result.problems());
            AppSpec app = result.app();
            if (app == null) {
                continue;
            }
            String other = appByMarathonId.putIfAbsent(app.id(), app.name());
            if (other != null) {
                problems.add(folder.resolve(AppReader.APP_FILE) + ": field 'id': " + app.id()
                        + " is already the id of app '" + other + "'");
                continue;
            }
            apps.put(app.name(), app);
        }
        if (!problems.isEmpty()) {
            throw new OpsException("the app catalog " + appsDir + " has " + problems.size()
                    + (problems.size() == 1 ? " problem" : " problems") + ":\n- " + String.join("\n- ", problems));
        }
        return new AppCatalog(apps);
    }

    /** Every app, sorted by name. */
    public List<AppSpec> apps() {
        return List.copyOf(apps.values());
    }

    public Optional<AppSpec> find(String name) {
        return Optional.ofNullable(apps.get(name));
    }

    /**
     * The app named {@code name}.
     *
     * @throws OpsException naming the known apps when there is none of that name
     */
    public AppSpec require(String name) {
        AppSpec app = apps.get(name);
        if (app == null) {
            String known = apps.isEmpty() ? "none (the catalog is empty)" : String.join(", ", apps.keySet());
            throw new OpsException("no app named '" + name + "'; known apps: " + known);
        }
        return app;
    }

    /** The app whose Marathon id is {@code marathonId}, e.g. to name what Marathon runs. */
    public Optional<AppSpec> findByMarathonId(String marathonId) {
        return apps.values().stream().filter(a -> a.id().equals(marathonId)).findFirst();
    }

    /** The app names, sorted. */
    public Set<String> names() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(apps.keySet()));
    }

    @Override
    public String toString() {
        return "AppCatalog" + apps.values().stream().map(AppSpec::name).collect(Collectors.joining(", ", "[", "]"));
    }
}

package io.opsbot.cluster.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.cluster.http.Json;

/** App definitions the tests PUT, shaped like the catalog's (and the sim's default topology's) nodeapp. */
final class Apps {

    static final String NODEAPP = "/nodeapp";
    static final String REGISTRY = "node1:5000";
    static final String NODEAPP_1_0 = REGISTRY + "/nodeapp:1.0";

    private Apps() {
    }

    /** The full nodeapp definition with the given image: 2 instances, HTTP health check, rolling upgrade at 0.5. */
    static ObjectNode nodeapp(String image) {
        ObjectNode app = Json.MAPPER.createObjectNode().put("id", NODEAPP).put("instances", 2).put("cpus", 0.5)
                .put("mem", 256);
        ObjectNode docker = app.putObject("container").put("type", "DOCKER").putObject("docker")
                .put("image", image).put("network", "BRIDGE");
        docker.putArray("portMappings").addObject().put("containerPort", 3000).put("hostPort", 0).put("protocol", "tcp");
        app.putObject("env").put("MONGO_URL", "mongodb://mongo.weave.local:27017/visits");
        app.putArray("healthChecks").addObject().put("protocol", "HTTP").put("path", "/health").put("portIndex", 0)
                .put("gracePeriodSeconds", 15).put("intervalSeconds", 10).put("maxConsecutiveFailures", 3);
        app.putObject("upgradeStrategy").put("minimumHealthCapacity", 0.5).put("maximumOverCapacity", 0.5);
        app.putObject("labels").put("app", "nodeapp");
        return app;
    }
}

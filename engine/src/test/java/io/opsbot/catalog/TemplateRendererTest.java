package io.opsbot.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsbot.engine.OpsException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateRendererTest {

    private static final Map<String, Object> DEPLOY = Map.of("registry", "node1:5000", "version", "1.0");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AppCatalog catalog = AppCatalog.load(TestApps.REPO_APPS);
    private final TemplateRenderer renderer = new TemplateRenderer();

    @TempDir
    Path apps;

    @Test
    void nodeappRendersWithItsImageInstancesAndHealthCheck() {
        JsonNode app = renderer.render(catalog.require("nodeapp"), DEPLOY);

        assertThat(app.path("id").asText()).isEqualTo("/nodeapp");
        assertThat(app.path("instances").asInt()).isEqualTo(2);
        assertThat(app.path("cpus").asDouble()).isEqualTo(0.25);
        assertThat(app.path("mem").asInt()).isEqualTo(128);
        JsonNode docker = app.path("container").path("docker");
        assertThat(docker.path("image").asText()).isEqualTo("node1:5000/nodeapp:1.0");
        assertThat(docker.path("network").asText()).isEqualTo("BRIDGE");
        assertThat(docker.path("portMappings").get(0).path("containerPort").asInt()).isEqualTo(3000);
        assertThat(docker.path("parameters").toString())
                .contains("{\"key\":\"hostname\",\"value\":\"nodeapp.weave.local\"}");
        JsonNode health = app.path("healthChecks").get(0);
        assertThat(health.path("protocol").asText()).isEqualTo("HTTP");
        assertThat(health.path("path").asText()).isEqualTo("/health");
        assertThat(health.path("portIndex").asInt()).isEqualTo(0);
        assertThat(health.path("gracePeriodSeconds").asInt()).isEqualTo(30);
        assertThat(app.path("env").path("MONGO_URL").asText()).isEqualTo("mongodb://mongo.weave.local:27017/nodeapp");
        assertThat(app.path("constraints").toString()).isEqualTo("[[\"hostname\",\"UNIQUE\"]]");
        assertThat(app.path("labels").path("opsbot.version").asText()).isEqualTo("1.0");
    }

    @Test
    void mongoIsPinnedToItsNodeWithItsFlockerVolume() {
        JsonNode app = renderer.render(catalog.require("mongo"), DEPLOY);

        assertThat(app.path("id").asText()).isEqualTo("/mongo");
        assertThat(app.path("instances").asInt()).isEqualTo(1);
        assertThat(app.path("container").path("docker").path("image").asText()).isEqualTo("node1:5000/mongo:1.0");
        assertThat(app.path("constraints").toString()).isEqualTo("[[\"hostname\",\"CLUSTER\",\"node2\"]]");
        JsonNode volume = app.path("container").path("volumes").get(0);
        assertThat(volume.path("containerPath").asText()).isEqualTo("/data/db");
        assertThat(volume.path("mode").asText()).isEqualTo("RW");
        assertThat(volume.path("external").path("name").asText()).isEqualTo("mongo");
        assertThat(volume.path("external").path("provider").asText()).isEqualTo("dvdi");
        assertThat(volume.path("external").path("options").path("dvdi/driver").asText()).isEqualTo("flocker");
        // The dataset attaches to one node at a time: the old task stops before the new one starts.
        assertThat(app.path("upgradeStrategy").path("minimumHealthCapacity").asInt()).isZero();
        assertThat(app.path("upgradeStrategy").path("maximumOverCapacity").asInt()).isZero();
    }

    @Test
    void nginxPublishesPortEightyWithItsOwnHealthCheck() {
        JsonNode app = renderer.render(catalog.require("nginx"), DEPLOY);

        assertThat(app.path("id").asText()).isEqualTo("/nginx");
        assertThat(app.path("instances").asInt()).isEqualTo(1);
        assertThat(app.path("container").path("docker").path("image").asText()).isEqualTo("node1:5000/nginx:1.0");
        JsonNode port = app.path("container").path("docker").path("portMappings").get(0);
        assertThat(port.path("containerPort").asInt()).isEqualTo(80);
        assertThat(port.path("hostPort").asInt()).isEqualTo(80);
        assertThat(app.path("healthChecks").get(0).path("path").asText()).isEqualTo("/nginx-health");
    }

    @Test
    void overridingNodeMovesThePinAndInstancesReplaceAppYaml() {
        Map<String, Object> overrides = Map.of("registry", "node1:5000", "version", "2.0", "node", "node3",
                "instances", 0);

        JsonNode app = renderer.render(catalog.require("mongo"), overrides);

        assertThat(app.path("constraints").toString()).isEqualTo("[[\"hostname\",\"CLUSTER\",\"node3\"]]");
        assertThat(app.path("instances").asInt()).isZero();
        assertThat(app.path("container").path("docker").path("image").asText()).isEqualTo("node1:5000/mongo:2.0");
    }

    @Test
    void renderingTwiceGivesTheSameDefinition() {
        AppSpec nodeapp = catalog.require("nodeapp");

        assertThat(renderer.render(nodeapp, DEPLOY)).isEqualTo(renderer.render(nodeapp, DEPLOY));
    }

    @Test
    void valuesWithQuotesStayValidJsonThroughToJson() throws Exception {
        TestApps.write(apps, "web", "id: /web\nimage: web\nenv:\n  GREETING: 'say \"hi\"\\n'\n");
        AppSpec web = AppCatalog.load(apps).require("web");

        JsonNode app = renderer.render(web, DEPLOY);

        assertThat(app.path("env").path("GREETING").asText()).isEqualTo("say \"hi\"\\n");
        assertThat(JSON.readTree(renderer.renderText(web, DEPLOY))).isEqualTo(app);
    }

    @Test
    void ansibleStyleTemplatesRenderUnchanged() {
        TestApps.write(apps, "web", "id: /web\nimage: web\ninstances: 3\nenv: { A: b }\n", """
                {# comments, tests, filters and loops as Ansible's template module writes them #}
                {
                  "id": "{{ id }}",
                  "instances": {{ instances | int }},
                  "cmd": "{{ cmd | default('run') }}",
                  {% if dataset is defined %}"stateful": true,{% endif %}
                  "labels": { "a": "{{ env.A | upper }}", "n": "{{ name | lower }}" },
                  "ports": [{% for p in ports %}{{ p }}{% if not loop.last %}, {% endif %}{% endfor %}],
                  "constraints": {{ constraints | to_json }},
                  "image": "{{ image_ref }}"
                }
                """);
        AppSpec web = AppCatalog.load(apps).require("web");

        JsonNode app = renderer.render(web, Map.of("registry", "node1:5000", "version", "1.0",
                "ports", List.of(80, 443)));

        assertThat(app.path("instances").asInt()).isEqualTo(3);
        assertThat(app.path("ports").toString()).isEqualTo("[80,443]");
        assertThat(app.path("cmd").asText()).isEqualTo("run");
        assertThat(app.has("stateful")).isFalse();
        assertThat(app.path("labels").path("a").asText()).isEqualTo("B");
        assertThat(app.path("constraints").isArray()).isTrue();
        assertThat(app.path("constraints")).isEmpty();
        assertThat(app.path("image").asText()).isEqualTo("node1:5000/web:1.0");
    }

    @Test
    void aTemplateThatRendersInvalidJsonNamesTheTemplateAndLine() {
        TestApps.write(apps, "web", "id: /web\nimage: web\n", """
                {
                  "id": "{{ id }}",
                  "instances": {{ instances }}
                  "mem": 64
                }
                """);
        AppSpec web = AppCatalog.load(apps).require("web");

        assertThatThrownBy(() -> renderer.render(web, DEPLOY))
                .isInstanceOf(OpsException.class)
                .hasMessageStartingWith("the Marathon template " + web.templateFile()
                        + " of web did not render to valid JSON at line 4 of its output")
                .hasMessageContaining("4 | \"mem\": 64");
    }

    @Test
    void aMissingVariableIsNamedWithItsLine() {
        TestApps.write(apps, "web", "id: /web\nimage: web\n", """
                {
                  "id": "{{ id }}",
                  "image": "{{ image_ref }}"
                }
                """);
        AppSpec web = AppCatalog.load(apps).require("web");

        assertThatThrownBy(() -> renderer.render(web, Map.of()))
                .isInstanceOf(OpsException.class)
                .hasMessageStartingWith("the Marathon template " + web.templateFile()
                        + " of web uses 'image_ref' at line 3, which is not defined (template variables: ");
    }

    @Test
    void aTemplateSyntaxErrorNamesTheTemplateAndLine() {
        TestApps.write(apps, "web", "id: /web\nimage: web\n", """
                {
                  "id": "{{ id }}",
                  {% if instances > 1 %}"x": 1,
                  "instances": {{ instances }}
                }
                """);
        AppSpec web = AppCatalog.load(apps).require("web");

        assertThatThrownBy(() -> renderer.render(web, DEPLOY))
                .isInstanceOf(OpsException.class)
                .hasMessageStartingWith("the Marathon template " + web.templateFile() + " of web cannot be rendered");
    }

    @Test
    void aTemplateThatRendersSomethingOtherThanAnObjectIsRefused() {
        TestApps.write(apps, "web", "id: /web\nimage: web\n", "[\"{{ id }}\"]\n");
        AppSpec web = AppCatalog.load(apps).require("web");

        assertThatThrownBy(() -> renderer.render(web, DEPLOY))
                .isInstanceOf(OpsException.class)
                .hasMessageContaining("must render to a JSON object (an app definition), not [\"/web\"]");
    }

    @Test
    void aDuplicatedKeyIsATemplateError() {
        TestApps.write(apps, "web", "id: /web\nimage: web\n", "{ \"id\": \"{{ id }}\", \"id\": \"/other\" }\n");
        AppSpec web = AppCatalog.load(apps).require("web");

        assertThatThrownBy(() -> renderer.render(web, DEPLOY))
                .isInstanceOf(OpsException.class)
                .hasMessageContaining("did not render to valid JSON at line 1")
                .hasMessageContaining("Duplicate field 'id'");
    }
}

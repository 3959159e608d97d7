package io.opsbot.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.engine.OpsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppCatalogTest {

    @TempDir
    Path apps;

    @Test
    void loadsTheThreeDemoAppsOfTheRepository() {
        AppCatalog catalog = AppCatalog.load(TestApps.REPO_APPS);

        assertThat(catalog.names()).containsExactly("mongo", "nginx", "nodeapp");
        assertThat(catalog.apps()).extracting(AppSpec::name).containsExactly("mongo", "nginx", "nodeapp");

        AppSpec nodeapp = catalog.require("nodeapp");
        assertThat(nodeapp.id()).isEqualTo("/nodeapp");
        assertThat(nodeapp.image()).isEqualTo("nodeapp");
        assertThat(nodeapp.dir()).isEqualTo(TestApps.REPO_APPS.resolve("nodeapp"));
        assertThat(nodeapp.buildContext()).isEqualTo(TestApps.REPO_APPS.resolve("nodeapp"));
        assertThat(nodeapp.templateFile()).isRegularFile();
        assertThat(nodeapp.stateful()).isFalse();
        assertThat(nodeapp.healthCheck().path()).isEqualTo("/health");
        assertThat(nodeapp.env()).containsEntry("MONGO_URL", "mongodb://mongo.weave.local:27017/nodeapp");
        assertThat(nodeapp.instances()).isBetween(nodeapp.limits().minInstances(), nodeapp.limits().maxInstances());

        AppSpec mongo = catalog.require("mongo");
        assertThat(mongo.stateful()).isTrue();
        assertThat(mongo.dataset().name()).isEqualTo("mongo");
        assertThat(mongo.dataset().sizeBytes()).isEqualTo(1L << 30);
        assertThat(mongo.node()).isEqualTo("node2");
        assertThat(mongo.limits().maxInstances()).isEqualTo(1);

        assertThat(catalog.find("nginx")).map(AppSpec::id).contains("/nginx");
        assertThat(catalog.findByMarathonId("/mongo")).map(AppSpec::name).contains("mongo");
    }

    @Test
    void anUnknownAppIsRefusedWithTheKnownOnes() {
        AppCatalog catalog = AppCatalog.load(TestApps.REPO_APPS);

        assertThat(catalog.find("nodap")).isEmpty();
        assertThatThrownBy(() -> catalog.require("nodap"))
                .isInstanceOf(OpsException.class)
                .hasMessage("no app named 'nodap'; known apps: mongo, nginx, nodeapp");
    }

    @Test
    void aMinimalAppGetsTheDocumentedDefaults() {
        TestApps.write(apps, "web", "id: /web\nimage: web\n");

        AppSpec web = AppCatalog.load(apps).require("web");

        assertThat(web.template()).isEqualTo("marathon.json.j2");
        assertThat(web.buildContext()).isEqualTo(apps.resolve("web"));
        assertThat(web.instances()).isEqualTo(1);
        assertThat(web.limits()).isEqualTo(new AppSpec.Limits(0, 10));
        assertThat(web.cpus()).isEqualTo(0.1);
        assertThat(web.mem()).isEqualTo(128);
        assertThat(web.env()).isEmpty();
        assertThat(web.constraints()).isEmpty();
        assertThat(web.node()).isNull();
        assertThat(web.dataset()).isNull();
        assertThat(web.healthCheck()).isNull();
    }

    @Test
    void healthCheckFieldsOtherThanPathHaveDefaults() {
        TestApps.write(apps, "web", "id: /web\nimage: web\nhealthCheck: { path: /ping }\n");

        AppSpec web = AppCatalog.load(apps).require("web");

        assertThat(web.healthCheck()).isEqualTo(new AppSpec.HealthCheck("/ping", 0, 60, 10, 3));
    }

    @Test
    void everyProblemOfABrokenAppIsListedAtOnceWithFileAndField() {
        TestApps.write(apps, "web", """
                id: web
                image: node1:5000/web:1.0
                instances: 12
                limits: { minInstances: 1, maxInstances: 4 }
                cpus: 0
                env: { "1BAD": x }
                constraints:
                  - [hostname, SOMETIMES]
                """);
        Path file = apps.resolve("web").resolve("app.yaml");

        assertThatThrownBy(() -> AppCatalog.load(apps))
                .isInstanceOf(OpsException.class)
                .hasMessageContaining("has 6 problems")
                .hasMessageContaining(file + ": field 'id': 'web' is not a Marathon app id")
                .hasMessageContaining(file + ": field 'image': 'node1:5000/web:1.0' names a registry host;"
                        + " write the repository only (web)")
                .hasMessageContaining(file + ": field 'instances': 12 is outside limits 1..4")
                .hasMessageContaining(file + ": field 'cpus': must be more than 0")
                .hasMessageContaining(file + ": field 'env': '1BAD' is not an environment variable name")
                .hasMessageContaining(file + ": field 'constraints[0]': unknown operator 'SOMETIMES'");
    }

    @Test
    void problemsOfSeveralAppsAreReportedTogether() {
        TestApps.write(apps, "good", "id: /good\nimage: good\n");
        TestApps.write(apps, "one", "image: one\n");
        TestApps.write(apps, "two", "id: /two\nimage: two:latest\n");

        assertThatThrownBy(() -> AppCatalog.load(apps))
                .hasMessageContaining("has 2 problems")
                .hasMessageContaining(apps.resolve("one/app.yaml") + ": field 'id': is required")
                .hasMessageContaining(apps.resolve("two/app.yaml") + ": field 'image': 'two:latest' has a tag");
    }

    @Test
    void anUnknownFieldIsNamedWithItsLineAndTheKnownFields() {
        TestApps.write(apps, "web", "id: /web\nimage: web\ninstanses: 2\n");

        assertThatThrownBy(() -> AppCatalog.load(apps))
                .hasMessageContaining(apps.resolve("web/app.yaml") + ": line 3: unknown field 'instanses'")
                .hasMessageContaining("known: build, constraints, cpus, dataset, env, healthCheck, id, image,"
                        + " instances, limits, mem, node, template");
    }

    @Test
    void aValueOfTheWrongKindNamesTheField() {
        TestApps.write(apps, "web", "id: /web\nimage: web\nlimits:\n  maxInstances: many\n");

        assertThatThrownBy(() -> AppCatalog.load(apps))
                .hasMessageContaining(apps.resolve("web/app.yaml")
                        + ": line 4: field 'limits.maxInstances': expected a whole number");
    }

    @Test
    void yamlThatDoesNotParseNamesTheLine() {
        TestApps.write(apps, "web", "id: /web\nimage: web\ncpus: 'one\nmem: 64\n");

        assertThatThrownBy(() -> AppCatalog.load(apps))
                .hasMessageContaining(apps.resolve("web/app.yaml") + ": line ")
                .hasMessageContaining(": not valid YAML: ");
    }

    @Test
    void aStatefulAppNeedsANodeOneInstanceAndAValidSize() {
        TestApps.write(apps, "db", """
                id: /db
                image: db
                instances: 2
                limits: { maxInstances: 3 }
                dataset: { name: db, size: lots }
                """);
        Path file = apps.resolve("db/app.yaml");

        assertThatThrownBy(() -> AppCatalog.load(apps))
                .hasMessageContaining(file + ": field 'dataset.size': 'lots' is not a size")
                .hasMessageContaining(file + ": field 'limits.maxInstances': a stateful app (with a dataset)"
                        + " runs at most 1 instance, not 3")
                .hasMessageContaining(file + ": field 'node': is required for a stateful app");
    }

    @Test
    void aStatefulAppWithoutLimitsRunsAtMostOneInstance() {
        TestApps.write(apps, "db", "id: /db\nimage: db\nnode: node3\ndataset: { name: db, size: 512MiB }\n");

        AppSpec db = AppCatalog.load(apps).require("db");

        assertThat(db.limits()).isEqualTo(new AppSpec.Limits(0, 1));
        assertThat(db.dataset().sizeBytes()).isEqualTo(512L << 20);
    }

    @Test
    void aHostnameClusterConstraintNextToNodeIsRefused() {
        TestApps.write(apps, "web", "id: /web\nimage: web\nnode: node2\nconstraints: [[hostname, CLUSTER, node3]]\n");

        assertThatThrownBy(() -> AppCatalog.load(apps))
                .hasMessageContaining("field 'constraints[0]': pins the app to a host while 'node' does too");
    }

    @Test
    void missingDockerfileTemplateAndAppYamlAreReported() throws IOException {
        Path web = TestApps.write(apps, "web", "id: /web\nimage: web\ntemplate: web.json.j2\n");
        Files.delete(web.resolve("Dockerfile"));
        Files.createDirectories(apps.resolve("empty"));

        assertThatThrownBy(() -> AppCatalog.load(apps))
                .hasMessageContaining(apps.resolve("empty") + ": no app.yaml")
                .hasMessageContaining("field 'build': folder " + web + " has no Dockerfile")
                .hasMessageContaining("field 'template': file " + web.resolve("web.json.j2") + " does not exist");
    }

    @Test
    void twoAppsWithOneMarathonIdAreRefused() {
        TestApps.write(apps, "a", "id: /shared\nimage: a\n");
        TestApps.write(apps, "b", "id: /shared\nimage: b\n");

        assertThatThrownBy(() -> AppCatalog.load(apps))
                .hasMessageContaining(apps.resolve("b/app.yaml") + ": field 'id': /shared is already the id of app 'a'");
    }

    @Test
    void aMissingCatalogFolderIsNamed() {
        Path missing = apps.resolve("nope");

        assertThatThrownBy(() -> AppCatalog.load(missing))
                .isInstanceOf(OpsException.class)
                .hasMessage("the app catalog folder " + missing + " does not exist");
    }

    @Test
    void sizesAreReadAsFlockerReadsThem() {
        assertThat(AppSpec.Dataset.parseSize("1073741824")).isEqualTo(1L << 30);
        assertThat(AppSpec.Dataset.parseSize("10G")).isEqualTo(10L << 30);
        assertThat(AppSpec.Dataset.parseSize("10GiB")).isEqualTo(10L << 30);
        assertThat(AppSpec.Dataset.parseSize("64k")).isEqualTo(64L << 10);
        assertThat(AppSpec.Dataset.parseSize("2T")).isEqualTo(2L << 40);
        assertThat(AppSpec.Dataset.parseSize("ten")).isEqualTo(-1);
        assertThat(AppSpec.Dataset.parseSize("99999999999T")).isEqualTo(-1);
    }

    @Test
    void handedOutCollectionsCannotBeChanged() {
        AppCatalog catalog = AppCatalog.load(TestApps.REPO_APPS);
        AppSpec nodeapp = catalog.require("nodeapp");

        assertThatThrownBy(() -> catalog.apps().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> catalog.names().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> nodeapp.env().put("X", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> nodeapp.constraints().get(0).set(0, "rack"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(nodeapp.constraints()).isEqualTo(List.of(List.of("hostname", "UNIQUE")));
    }
}

package io.opsbot.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * vagrant/check.sh holds Ansible's rendering of every catalog template to golden files; this holds opsbot's
 * rendering to the same files, so the two renderers cannot drift apart. After changing config/apps,
 * regenerate the files as vagrant/README.md says.
 */
class AnsibleAgreementTest {

    private static final Path EXPECTED = Path.of("..", "vagrant", "ansible", "render-check", "expected");

    @Test
    void opsbotRendersEveryAppExactlyAsTheAnsibleGoldenFilesSay() throws Exception {
        AppCatalog catalog = AppCatalog.load(Path.of("..", "config", "apps"));
        TemplateRenderer renderer = new TemplateRenderer();
        ObjectMapper json = new ObjectMapper();
        assertThat(catalog.apps()).isNotEmpty();
        for (AppSpec app : catalog.apps()) {
            Path golden = EXPECTED.resolve(app.name() + ".json");
            assertThat(golden).as("golden file for %s", app.name()).exists();
            JsonNode expected = json.readTree(Files.readString(golden));
            JsonNode actual = renderer.render(app, Map.of("registry", "192.168.50.11:5000", "version", "1.0"));
            assertThat(actual).as("%s rendered by opsbot vs %s", app.name(), golden).isEqualTo(expected);
        }
    }
}

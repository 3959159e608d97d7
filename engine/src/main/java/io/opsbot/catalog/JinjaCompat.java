package io.opsbot.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.extension.AbstractExtension;
import io.pebbletemplates.pebble.extension.Filter;
import io.pebbletemplates.pebble.extension.escaper.SafeString;
import io.pebbletemplates.pebble.template.EvaluationContext;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.util.List;
import java.util.Map;

/**
 * The Ansible/Jinja filters Marathon templates lean on that Pebble lacks, so a template written for Ansible's
 * {@code template} module renders here unchanged: {@code to_json}, {@code tojson}, {@code to_nice_json}, {@code int}.
 */
final class JinjaCompat extends AbstractExtension {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Map<String, Filter> getFilters() {
        Filter compact = new JsonFilter(false);
        return Map.of(
                "to_json", compact,
                "tojson", compact,
                "to_nice_json", new JsonFilter(true),
                "int", new IntFilter());
    }

    private record JsonFilter(boolean pretty) implements Filter {
        @Override
        public List<String> getArgumentNames() {
            return List.of();
        }

        @Override
        public Object apply(Object input, Map<String, Object> args, PebbleTemplate self, EvaluationContext context,
                int lineNumber) {
            try {
                String json = pretty
                        ? JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(input)
                        : JSON.writeValueAsString(input);
                return new SafeString(json);
            } catch (JsonProcessingException e) {
                throw new PebbleException(e, "cannot write " + input + " as JSON", lineNumber, self.getName());
            }
        }
    }

    /** Jinja's {@code int}: a number or numeric text as a whole number, 0 when it is neither. */
    private static final class IntFilter implements Filter {
        @Override
        public List<String> getArgumentNames() {
            return List.of();
        }

        @Override
        public Object apply(Object input, Map<String, Object> args, PebbleTemplate self, EvaluationContext context,
                int lineNumber) {
            if (input instanceof Number n) {
                return n.longValue();
            }
            if (input == null) {
                return 0L;
            }
            try {
                return (long) Double.parseDouble(input.toString().trim());
            } catch (NumberFormatException e) {
                return 0L;
            }
        }
    }
}

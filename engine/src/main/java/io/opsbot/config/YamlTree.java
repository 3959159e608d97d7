package io.opsbot.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * opsbot.yaml as SnakeYAML composes it, before anything is bound: mappings, lists and scalars, each with its line.
 * Read with SnakeYAML's composer alone (no Jackson data binding, no SnakeYAML {@code Yaml}/constructor): an exec
 * reads its configuration on the critical path of its start (BENCHMARKS.md, item 5, "configuration without data
 * binding"), and {@link ConfigBinder} binds this tree onto the records by hand.
 */
sealed interface YamlTree {

    /** The 1-based line the value starts on. */
    int line();

    /** How YAML typed a plain scalar; quoted and tagged-as-text scalars, and substituted ones, are {@link #TEXT}. */
    enum Kind { NULL, TEXT, BOOL, INT, FLOAT }

    /**
     * @param text        as written (null for YAML's null: {@code ~}, {@code null} or nothing)
     * @param substituted true when {@code ${VAR}} substitution changed it: such a value is never quoted back in a
     *                    message (it may be a secret)
     */
    record Scalar(String text, Kind kind, boolean substituted, int line) implements YamlTree {
        boolean isNull() {
            return kind == Kind.NULL;
        }
    }

    /** Keys in the file's order; the last of two equal keys wins (as before: Jackson's tree did the same). */
    record Mapping(LinkedHashMap<String, YamlTree> entries, int line) implements YamlTree {}

    record Sequence(List<YamlTree> items, int line) implements YamlTree {}

    /** Not valid YAML, with the line SnakeYAML points at (0 when it gives none). */
    final class Invalid extends Exception {
        final int line;

        Invalid(String message, int line) {
            super(message, null, false, false);
            this.line = line;
        }
    }

    /** Deeper than any opsbot.yaml needs; also stops an alias that refers to the mapping it is in. */
    int MAX_DEPTH = 64;

    /** The file's one document, or null when it has none (an empty file, only comments). */
    static YamlTree read(String text) throws Invalid {
        LoaderOptions options = new LoaderOptions(); // SnakeYAML's limits: aliases, nesting, size
        Node root;
        try {
            // a Reader, not the String: SnakeYAML then names the source 'reader' in its messages, as they read before
            root = new Composer(new ParserImpl(new StreamReader(new StringReader(text)), options), new Resolver(), options)
                    .getSingleNode();
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            throw new Invalid(e.getMessage(), mark == null ? 0 : mark.getLine() + 1);
        } catch (YAMLException e) {
            throw new Invalid(e.getMessage(), 0);
        }
        return root == null ? null : convert(root, 0);
    }

    private static YamlTree convert(Node node, int depth) throws Invalid {
        int line = node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
        if (depth > MAX_DEPTH) {
            throw new Invalid("nested more than " + MAX_DEPTH + " levels deep (an alias inside what it names?)", line);
        }
        if (node instanceof ScalarNode scalar) {
            Kind kind = kind(scalar.getTag());
            return new Scalar(kind == Kind.NULL ? null : scalar.getValue(), kind, false, line);
        }
        if (node instanceof SequenceNode sequence) {
            List<YamlTree> items = new ArrayList<>(sequence.getValue().size());
            for (Node item : sequence.getValue()) {
                items.add(convert(item, depth + 1));
            }
            return new Sequence(items, line);
        }
        MappingNode mapping = (MappingNode) node;
        LinkedHashMap<String, YamlTree> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                int keyLine = tuple.getKeyNode().getStartMark() == null ? line : tuple.getKeyNode().getStartMark().getLine() + 1;
                throw new Invalid("a key must be a plain name, not a " + (tuple.getKeyNode() instanceof MappingNode
                        ? "mapping" : "list"), keyLine);
            }
            entries.put(key.getValue(), convert(tuple.getValueNode(), depth + 1));
        }
        return new Mapping(entries, line);
    }

    private static Kind kind(Tag tag) {
        if (Tag.NULL.equals(tag)) {
            return Kind.NULL;
        } else if (Tag.BOOL.equals(tag)) {
            return Kind.BOOL;
        } else if (Tag.INT.equals(tag)) {
            return Kind.INT;
        } else if (Tag.FLOAT.equals(tag)) {
            return Kind.FLOAT;
        }
        return Kind.TEXT;
    }

    /** What a value is, for a message: never the text of a substituted value. */
    static String describe(YamlTree value) {
        if (value instanceof Mapping) {
            return "a mapping";
        } else if (value instanceof Sequence) {
            return "a list";
        }
        Scalar s = (Scalar) value;
        if (s.isNull()) {
            return "nothing";
        }
        return s.substituted() ? "the value from the environment" : "'" + s.text() + "'";
    }
}

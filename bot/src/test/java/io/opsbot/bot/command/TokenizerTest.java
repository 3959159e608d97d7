package io.opsbot.bot.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerTest {

    private static List<String> words(String line) {
        return Tokenizer.tokenize(line, 0).stream().map(Tokenizer.Token::text).toList();
    }

    @Test
    void whitespaceSeparatesWords() {
        assertThat(words("  a \t b\u00A0c  ")).containsExactly("a", "b", "c");
    }

    @Test
    void quotesGroupWordsAndMaySitInsideAWord() {
        assertThat(words("a \"b c\" 'd e' “f g” ‘h i’")).containsExactly("a", "b c", "d e", "f g", "h i");
        assertThat(words("--grep=\"b c\"")).containsExactly("--grep=b c");
        assertThat(words("x\"\"y")).containsExactly("xy");
    }

    @Test
    void aTypographicQuoteMayBeClosedByAPlainOne() {
        assertThat(words("“a b\" ‘c d'")).containsExactly("a b", "c d");
    }

    @Test
    void otherQuotesInsideAQuotedPartAreText() {
        assertThat(words("\"it's “so”\" 'say \"hi\"'")).containsExactly("it's “so”", "say \"hi\"");
    }

    @Test
    void backslashEscapesOnlyQuoteAndBackslashInsideDoubleQuotes() {
        assertThat(words("\"a \\\"b\\\" \\\\ \\n\"")).containsExactly("a \"b\" \\ \\n");
        assertThat(words("'a \\ b'")).containsExactly("a \\ b");
        assertThat(words("c:\\temp")).containsExactly("c:\\temp");
    }

    @Test
    void aQuotedWordIsNeverAFlagButADashedOneIs() {
        List<Tokenizer.Token> tokens = Tokenizer.tokenize("--plan \"--plan\" -1 -x — —x - --grep=\"a\"", 0);
        assertThat(tokens).extracting(Tokenizer.Token::flagLike)
                .containsExactly(true, false, false, true, false, true, false, true);
    }

    @Test
    void columnsCountFromOne() {
        assertThat(Tokenizer.tokenize("ab  \"c d\"", 0)).extracting(Tokenizer.Token::column).containsExactly(1, 5);
    }

    @Test
    void canonicalQuotingReadsBackAsTheSameWord() {
        for (String word : List.of("plain", "two words", "say \"hi\"", "back\\slash", "it's", "‘x’", "--flag", "",
                "—dash", "tab\there", "“”")) {
            assertThat(words(CommandText.quoted(word))).as(word).containsExactly(word);
        }
        assertThat(CommandText.quoted("plain")).isEqualTo("plain");
    }
}

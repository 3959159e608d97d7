package io.opsbot.bot.command;

import java.util.List;

/** The words the parser reads from a line, for tests outside this package. */
public final class Words {

    private Words() {}

    public static List<String> of(String line) {
        return Tokenizer.tokenize(line, 0).stream().map(Tokenizer.Token::text).toList();
    }
}

package io.opsbot.sim.ssh;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words the way a POSIX shell would for quoting (single quotes literal, double quotes
 * with backslash escapes, backslash outside quotes). Nothing is ever expanded or executed: an unquoted shell
 * metacharacter other than a lone {@code |} makes the line unacceptable.
 */
final class ShellWords {
  /** A pipe between two commands. */
  static final String PIPE = "\u0000|";

  private ShellWords() {}

  /** The words, with {@link #PIPE} for an unquoted pipe; null when the line uses anything we refuse. */
  static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inWord = false;
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          return null;
        }
        cur.append(line, i + 1, end);
        inWord = true;
        i = end + 1;
      } else if (c == '"') {
        i++;
        while (i < line.length() && line.charAt(i) != '"') {
          char d = line.charAt(i);
          if (d == '$' || d == '`') {
            return null;
          }
          if (d == '\\' && i + 1 < line.length() && "\"\\$`\n".indexOf(line.charAt(i + 1)) >= 0) {
            i++;
            d = line.charAt(i);
          }
          cur.append(d);
          i++;
        }
        if (i >= line.length()) {
          return null;
        }
        inWord = true;
        i++;
      } else if (c == '\\') {
        if (i + 1 >= line.length()) {
          return null;
        }
        cur.append(line.charAt(i + 1));
        inWord = true;
        i += 2;
      } else if (c == ' ' || c == '\t') {
        if (inWord) {
          words.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
        i++;
      } else if (c == '|') {
        if (inWord) {
          words.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
        if (i + 1 < line.length() && line.charAt(i + 1) == '|') {
          return null;
        }
        words.add(PIPE);
        i++;
      } else if (";&<>`$()\n{}*?[]~#".indexOf(c) >= 0) {
        return null;
      } else {
        cur.append(c);
        inWord = true;
        i++;
      }
    }
    if (inWord) {
      words.add(cur.toString());
    }
    return words;
  }
}

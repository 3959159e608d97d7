package io.opsbot.bot;

import io.opsbot.engine.ProgressListener;

/**
 * What every chat adapter calls with a user's message: the pipeline behind it parses, checks access, and
 * plans or runs the command. Blocking; adapters call it from a worker thread and report progress through the
 * listener.
 */
@FunctionalInterface
public interface CommandHandler {

    Response handle(Request request, ProgressListener progress);
}

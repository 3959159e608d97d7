package io.opsbot.cluster.marathon;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import okio.Source;

/**
 * Bounds each event of Marathon's event stream: the SSE reader keeps a line, and the data lines of one event, in
 * memory until the event ends with a blank line, so a stream that never ends a line (a broken proxy, the wrong URL
 * answering with an endless body) would fill the heap. Past {@link #MAX_EVENT_BYTES} without an event's end the
 * stream fails with an I/O error that says so, and {@link MarathonEvents} drops it and reconnects.
 */
final class EventSizeLimit implements Interceptor {

    /**
     * The largest event read: a deployment_info event carries the whole plan (original and target groups), which is
     * some MiB on a large cluster; 16 MiB leaves room for that and bounds what one stream may hold.
     */
    static final long MAX_EVENT_BYTES = 16L * 1024 * 1024;

    private final long limit;

    EventSizeLimit() {
        this(MAX_EVENT_BYTES);
    }

    EventSizeLimit(long limit) {
        this.limit = limit;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Response response = chain.proceed(chain.request());
        ResponseBody body = response.body();
        if (body == null) {
            return response;
        }
        BufferedSource limited = Okio.buffer(new Limited(body.source(), limit));
        return response.newBuilder().body(ResponseBody.create(limited, body.contentType(), body.contentLength())).build();
    }

    /** Counts the bytes since the last blank line (an event's end: "\n\n", "\r\r" or "\r\n\r\n"). */
    private static final class Limited extends ForwardingSource {
        private final long limit;
        private final Buffer chunk = new Buffer();
        private long sinceEventEnd;
        private int lineEnds;
        private boolean afterCr;

        Limited(Source delegate, long limit) {
            super(delegate);
            this.limit = limit;
        }

        @Override
        public long read(Buffer sink, long byteCount) throws IOException {
            long n = super.read(chunk, byteCount);
            if (n <= 0) {
                return n;
            }
            byte[] bytes = chunk.readByteArray();
            for (byte b : bytes) {
                if (b == '\n' && afterCr) {
                    afterCr = false; // the \n of a \r\n: the same line end
                    continue;
                }
                afterCr = b == '\r';
                if (b == '\n' || b == '\r') {
                    if (++lineEnds >= 2) {
                        sinceEventEnd = 0;
                    }
                } else {
                    lineEnds = 0;
                    if (++sinceEventEnd > limit) {
                        throw new IOException("Marathon's event stream sent more than " + limit / (1024 * 1024)
                                + " MiB without ending an event; the stream is dropped and read again");
                    }
                }
            }
            sink.write(bytes);
            return n;
        }
    }
}

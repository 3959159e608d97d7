package io.opsbot.sim.http;

/** An error answer in the service's own JSON shape; the router turns it into the response. */
public final class ApiError extends RuntimeException {
  private final int status;
  private final transient Object body;

  public ApiError(int status, Object body) {
    super("HTTP " + status, null, false, false);
    this.status = status;
    this.body = body;
  }

  public int status() {
    return status;
  }

  public Object body() {
    return body;
  }
}

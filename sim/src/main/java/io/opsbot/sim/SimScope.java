package io.opsbot.sim;

/**
 * What the emulated cluster speaks and where it differs from the real thing, in plain words: shown by
 * {@code opsbot sim --help} and kept in step with the README's "The emulated cluster" section.
 */
public final class SimScope {
  /** Plain text, lines of at most 78 characters, no '%' (picocli formats and wraps help footers). */
  public static final String TEXT = """

      What it emulates (the real wire formats over HTTP on 127.0.0.1; every
      answer carries the header X-Opsbot-Sim: emulated):
        Marathon 1.x REST v2
          apps         list (id, cmd, label filters; embed), create, PUT/PATCH one
                       app or many (PUT /v2/apps), partial updates, rollback by
                       PUT {"version": V}, restart, delete, versions; path ids
                       normalized (//a/b/, ./, ../), reserved last segments
                       (restart, tasks, versions) refused
          tasks        list, kill one, all or by host, POST /v2/tasks/delete,
                       with scale (kill and lower instances), wipe, force
          groups       tree with embed, create, update (apps, scaleBy, version),
                       delete with their apps, versions
          deployments  one entry per plan (a group or bulk PUT: several apps),
                       DELETE rolls back, DELETE ?force=true stops where it is;
                       409 while an app is locked, unless ?force=true
          queue        Marathon 1.4+ launch queue: count, delay (back-off grows
                       by backoffFactor), since, processedOffersSummary with the
                       reasons (InsufficientCpus, InsufficientMemory,
                       InsufficientDisk, InsufficientPorts, UnfulfilledConstraint),
                       lastUnusedOffers (embed=lastUnusedOffers),
                       DELETE /v2/queue/{id}/delay
          events       /v2/events (SSE, event_type filter); http_callback
                       subscribers (/v2/eventSubscriptions) are POSTed each event
          also         /v2/info, /v2/leader (GET, DELETE), /ping, /metrics,
                       /logging (levels kept, nothing else changes),
                       /v2/plugins and /v2/pods (both empty)
        Mesos 1.x master: /master/state, /master/slaves, /master/frameworks,
          /master/tasks, /master/state-summary, /metrics/snapshot,
          /master/redirect, /master/health (each also without /master/)
        Flocker v1 (mutual TLS), Weave router status, Docker registry v2,
        SSH to each node (journalctl, central log files)

      Faults (control API on the Marathon port, never itself faulted):
        POST /_sim/faults {"service": S, "method": M, "pathPrefix": P,
          "pathPattern": REGEX, "kind": K, "status": N, "hangMillis": MS,
          "count": C, "phase": F} fails the next C matching requests of
          S (marathon, mesos, flocker, registry, weave; ssh with "node")
          K  status       answer N instead (e.g. 503)
             slow         answer after hangMillis (N then, if given)
             hang         hold hangMillis (default 60000), close, no answer
             drop         close the connection at once, no answer
             lose-answer  handle it (a write takes effect), then answer N
                          (default 503; 0: close without an answer)
             malformed    answer N (default 200) with JSON cut off mid-body
             refuse-login ssh: refuse the key (drop, hang, slow also work)
             drop-stream  close open /v2/events streams (C of them)
          F  any, plan (until the cluster's next write), apply (POST, PUT,
             PATCH, DELETE only), verify (after the cluster's next write)
        GET /_sim/faults lists armed faults and counts those that fired
        (per service and kind); DELETE /_sim/faults disarms them all.
        Also: agents down/up, deployments cancelled (DELETE
        /v2/deployments/ID), events down/up, failing images, crashes.

      What it simplifies (where it differs from a real cluster):
        - nothing runs: a task is STAGING for 2 simulated seconds, then RUNNING;
          health checks pass unless its image was marked failing
          (POST /_sim/images/failing); a failing image without health checks
          exits after 5 s
        - placement: agents have cpus, mem, disk and ports 31000-32000;
          constraints know only the hostname field (no attributes, roles,
          reservations, GPUs or volumes); each agent offers once per simulated
          second while instances wait; Mesos' state does not list those offers
        - one Marathon that never loses leadership (DELETE /v2/leader answers
          and changes nothing) and one Mesos master
        - an agent that goes away (POST /_sim/agents/NODE/down) loses its tasks
          at once (TASK_LOST); Mesos shows it inactive, then unreachable and
          gone from the agent lists after 75 s
        - no pods, readiness checks, app dependencies or ordering in a group; a
          group's versions are its apps' versions; PATCH /v2/groups/{id} keeps
          only enforceRole; the plugin routes are not emulated
        - the clock follows the wall clock; --time-scale makes the cluster's
          changes (staging, health check grace, back-off, dataset moves) that
          many times shorter
      """;

  private SimScope() {}
}

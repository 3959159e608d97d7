package io.opsbot.sim;

import java.nio.file.Path;

/**
 * How to start the sim.
 *
 * @param home         where state, certificates, keys and registry blobs live (e.g. ~/.opsbot/sim)
 * @param marathonPort Marathon's port (also /_sim/); 0 picks a free one. Other services always get free ports.
 * @param topologyFile YAML/JSON topology; null for the bundled default-topology.yaml
 * @param timeScale    simulated seconds per real second while the cluster changes (the local default uses 10); at
 *                     rest simulated time keeps to the wall clock
 * @param reset        forget the persisted cluster state (certificates and keys are kept)
 */
public record SimOptions(Path home, int marathonPort, Path topologyFile, double timeScale, boolean reset) {
  public static final double DEFAULT_TIME_SCALE = 10;

  public SimOptions {
    if (home == null) {
      throw new IllegalArgumentException("sim home is required");
    }
    if (marathonPort < 0 || marathonPort > 65535) {
      throw new IllegalArgumentException("marathon port out of range: " + marathonPort);
    }
    if (!(timeScale > 0)) {
      throw new IllegalArgumentException("time scale must be > 0, got " + timeScale);
    }
  }

  /** The local default: default topology, any free port, time ten times faster. */
  public static SimOptions defaults(Path home) {
    return new SimOptions(home, 0, null, DEFAULT_TIME_SCALE, false);
  }
}

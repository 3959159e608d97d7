package io.opsbot.sim;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where every emulated service listens, and the credentials a client needs ({@code sshKnownHosts}: the nodes' SSH host
 * keys, as an OpenSSH known_hosts file).
 */
public record SimEndpoints(String marathonUrl, String mesosUrl, String flockerUrl, Path flockerCa, Path flockerCert,
                           Path flockerKey, String registryUrl, Map<String, String> weaveUrls,
                           Map<String, Integer> sshPorts, String sshUser, Path sshKey,
                           Map<String, String> nodeAddresses, Path sshKnownHosts) {
  public SimEndpoints {
    weaveUrls = Map.copyOf(weaveUrls);
    sshPorts = Map.copyOf(sshPorts);
    nodeAddresses = Map.copyOf(nodeAddresses);
  }
}

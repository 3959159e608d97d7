package io.opsbot.sim.ssh;

/** Injected SSH faults: asked once per login attempt on a node, it says what happens to that login. */
@FunctionalInterface
public interface LoginFaults {

  /** What happens to one login. */
  enum Effect {
    /** The login goes on as usual. */
    NONE,
    /** The public key is refused, as when the node's authorized_keys lacks it. */
    REFUSE,
    /** The connection is closed during the login, as when the node's sshd dies or a network drops. */
    DROP
  }

  LoginFaults NONE = node -> Effect.NONE;

  Effect at(String node);
}

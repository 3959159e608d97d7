/** An emulated cluster that speaks the real wire APIs of Marathon, Mesos, Flocker, Weave and the Docker registry. */
package io.opsbot.sim;

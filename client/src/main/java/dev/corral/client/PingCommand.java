package dev.corral.client;

import dev.corral.protocol.Json;
import dev.corral.protocol.Op;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code corral ping}: is corrald there, and which versions does it speak. */
@Command(name = "ping", description = "Check that corrald answers (starting it if needed).")
final class PingCommand implements Callable<Integer> {
    @ParentCommand
    Corral corral;

    @Override
    public Integer call() {
        try (DaemonConnection daemon = DaemonConnection.open(corral.endpoint(), true)) {
            long start = System.nanoTime();
            Map<String, Object> pong = daemon.require(Op.PING, null);
            double millis = (System.nanoTime() - start) / 1e6;
            if (corral.json) {
                System.out.println(Json.writeString(pong));
            } else {
                System.out.printf("pong from corrald %s (protocol %s) in %.2f ms%n",
                        pong.get("daemon"), pong.get("protocol"), millis);
            }
            return Exit.OK;
        }
    }
}

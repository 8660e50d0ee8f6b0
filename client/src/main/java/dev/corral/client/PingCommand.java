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
            long micros = (System.nanoTime() - start) / 1000;
            if (corral.json) {
                System.out.println(Json.writeString(pong));
            } else {
                // No printf: java.util.Formatter and its locale data cost a short command ~10 ms.
                System.out.println("pong from corrald " + pong.get("daemon") + " (protocol " + pong.get("protocol")
                        + ") in " + micros / 1000 + "." + (char) ('0' + micros / 100 % 10) + (char) ('0' + micros / 10 % 10) + " ms");
            }
            return Exit.OK;
        }
    }
}

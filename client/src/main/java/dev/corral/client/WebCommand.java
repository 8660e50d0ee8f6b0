package dev.corral.client;

import dev.corral.protocol.Json;
import dev.corral.protocol.Op;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code corral web}: the web view on the running daemon, started if it is not, and its URL (with the token). */
@Command(name = "web", description = "Start corrald's web view (loopback only) if needed and print its URL, token included.")
final class WebCommand implements Callable<Integer> {
    @ParentCommand
    Corral corral;

    @Option(names = "--address", paramLabel = "HOST:PORT", description = "Where it listens (default: 127.0.0.1 on any free port).")
    String address;

    @Override
    public Integer call() {
        Map<String, Object> args = new LinkedHashMap<>();
        if (address != null) {
            args.put("address", address);
        }
        try (DaemonConnection daemon = DaemonConnection.open(corral.endpoint(), true)) {
            Map<String, Object> web = daemon.require(Op.WEB_START, args);
            System.out.println(corral.json ? Json.writeString(web) : web.get("url"));
            return Exit.OK;
        }
    }
}

package dev.corral.client;

import dev.corral.protocol.Json;
import dev.corral.protocol.Op;
import dev.corral.protocol.Response;
import dev.corral.protocol.Stream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code corral container ps | logs | shell | snapshot}: container sessions as containers. */
@Command(name = "container", description = "Container sessions' containers: list, logs, a shell, a snapshot.",
        subcommands = {ContainerCommand.Ps.class, ContainerCommand.Logs.class, ContainerCommand.Shell.class,
                ContainerCommand.Snapshot.class})
final class ContainerCommand {
    @ParentCommand
    Corral corral;

    Map<String, Object> call(String op, Map<String, ?> args) {
        return corral.request(op, args);
    }

    @Command(name = "ps", description = "List this daemon's containers, running or not (found by their labels).")
    static final class Ps implements Callable<Integer> {
        @ParentCommand
        ContainerCommand group;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            List<Map<String, Object>> containers = (List<Map<String, Object>>) group.call(Op.CONTAINER_PS, Map.of()).get("containers");
            if (group.corral.json) {
                System.out.println(Json.writeString(containers));
                return Exit.OK;
            }
            StringBuilder table = new StringBuilder(String.format("%-16s %-34s %-9s %-24s %-24s %s%n",
                    "NAME", "CONTAINER", "STATE", "STATUS", "IMAGE", "ISSUE"));
            for (Map<String, Object> c : containers) {
                table.append(String.format("%-16s %-34s %-9s %-24s %-24s %s%n", c.get("name"), c.get("container"), c.get("state"),
                        c.get("status"), c.get("image"), c.get("issue") == null ? "-" : c.get("issue")));
            }
            System.out.print(table);
            return Exit.OK;
        }
    }

    @Command(name = "logs", description = "Print a container session's log (docker logs); --follow keeps printing until it exits.")
    static final class Logs implements Callable<Integer> {
        @ParentCommand
        ContainerCommand group;

        @Parameters(paramLabel = "NAME", completionCandidates = CompletionCommand.SessionNames.class)
        String name;

        @Option(names = "--follow", description = "Keep printing new output until the container exits (Ctrl-C stops).")
        boolean follow;

        @Option(names = "--tail", paramLabel = "N", converter = Values.NonNegative.class, description = "Only the last N lines (default: all).")
        Integer tail;

        @Override
        public Integer call() {
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("name", name);
            args.put("follow", follow);
            if (tail != null) {
                args.put("tail", tail);
            }
            DaemonConnection daemon = DaemonConnection.open(group.corral.endpoint(), true);
            try {
                Response response = daemon.call(Op.CONTAINER_LOGS, args);
                if (!response.ok()) {
                    throw CliFailure.refused(response);
                }
                return print(daemon.handOver());
            } finally {
                daemon.close();
            }
        }

        /** Stream mode, read-only: DATA to stdout until EXIT (docker's status) or DETACH. */
        private int print(SocketChannel socket) {
            FileChannel stdout = new FileOutputStream(FileDescriptor.out).getChannel();
            ByteBuffer header = ByteBuffer.allocate(Stream.HEADER_BYTES);
            ByteBuffer payload = ByteBuffer.allocate(Stream.MAX_PAYLOAD);
            try {
                while (true) {
                    header.clear();
                    if (!fill(socket, header)) {
                        throw new CliFailure(Exit.FAILED, null, "lost the connection to corrald while reading the log of " + name);
                    }
                    int length = header.getInt(1);
                    if (length < 0 || length > Stream.MAX_PAYLOAD) {
                        throw new CliFailure(Exit.FAILED, null, "corrald sent a bad stream message");
                    }
                    payload.clear().limit(length);
                    if (!fill(socket, payload)) {
                        throw new CliFailure(Exit.FAILED, null, "lost the connection to corrald while reading the log of " + name);
                    }
                    payload.flip();
                    switch (header.get(0)) {
                        case Stream.DATA -> {
                            while (payload.hasRemaining()) {
                                stdout.write(payload);
                            }
                        }
                        case Stream.EXIT -> {
                            byte[] exit = new byte[payload.remaining()];
                            payload.get(exit);
                            Object code = ((Map<?, ?>) Json.read(exit)).get("exitCode");
                            return code instanceof Number n ? n.intValue() : Exit.FAILED;
                        }
                        case Stream.DETACH -> {
                            return Exit.OK;
                        }
                        default -> { }
                    }
                }
            } catch (IOException e) {
                // stdout closed (a pipe's reader left) or the connection dropped: either way, done.
                return Exit.OK;
            }
        }

        private static boolean fill(SocketChannel socket, ByteBuffer buffer) throws IOException {
            while (buffer.hasRemaining()) {
                if (socket.read(buffer) < 0) {
                    return false;
                }
            }
            return true;
        }
    }

    @Command(name = "shell", description = "Open an interactive shell in a running container session, as a session of its own, and attach to it.")
    static final class Shell implements Callable<Integer> {
        @ParentCommand
        ContainerCommand group;

        @Parameters(paramLabel = "NAME", completionCandidates = CompletionCommand.SessionNames.class)
        String name;

        @Option(names = "--detach-key", paramLabel = "KEY", defaultValue = "^\\",
                description = "Key that detaches, leaving the shell running (default: ${DEFAULT-VALUE}).")
        String detachKey;

        @Override
        public Integer call() {
            AttachCommand.parseKey(detachKey);
            Map<String, Object> shell = group.call(Op.CONTAINER_SHELL, Map.of("name", name));
            AttachCommand attach = new AttachCommand();
            attach.corral = group.corral;
            attach.name = String.valueOf(shell.get("name"));
            attach.detachKey = detachKey;
            return attach.call();
        }
    }

    @Command(name = "snapshot", description = "Save a container session's container as the image corral-agent:TAG (docker commit).")
    static final class Snapshot implements Callable<Integer> {
        @ParentCommand
        ContainerCommand group;

        @Parameters(paramLabel = "NAME", completionCandidates = CompletionCommand.SessionNames.class)
        String name;

        @Option(names = "--tag", paramLabel = "TAG", converter = Values.ImageTag.class, description = "The image's tag (default: snapshot-NAME).")
        String tag;

        @Override
        public Integer call() {
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("name", name);
            if (tag != null) {
                args.put("tag", tag);
            }
            Map<String, Object> result = group.call(Op.CONTAINER_SNAPSHOT, args);
            if (group.corral.json) {
                System.out.println(Json.writeString(result));
            } else {
                System.out.println("saved " + result.get("container") + " as " + result.get("image") + " (" + result.get("id")
                        + "); run it with 'corral spawn --kind container --image " + result.get("image") + " ...'");
            }
            return Exit.OK;
        }
    }
}

package dev.corral.daemon.session;

import dev.corral.protocol.ErrorCode;
import java.nio.file.Path;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Session names: which are allowed, and the name a session gets when none is asked for ({@code WORD-N}). */
final class SessionNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private int generated;

    /** Whether {@code name} is one a session may have. */
    static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Refuses a name no session may have, one tmux would change for a tmux session, or one a
     * running session ({@code existing}, or null) has; an ended one gives way.
     */
    static void check(SessionSpec spec, Session existing) throws Refusal {
        if (existing != null && existing.running()) {
            throw new Refusal(ErrorCode.CONFLICT, "session '" + spec.name() + "' is already up ("
                    + existing.kind() + ", pid " + existing.pid() + "); attach with 'corral attach " + spec.name()
                    + "' or choose another --name");
        }
        if (!valid(spec.name())) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "session name '" + spec.name()
                    + "' is not allowed: use letters, digits, '.', '_' or '-' (at most 64)");
        }
        if (spec.kind() == SessionSpec.Kind.TMUX) {
            Tmux.checkName(spec.name());
        }
    }

    /** A short random id, told apart from the name: a name is reused, an id never. */
    static String newId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** A name for {@code spec} from its program (or its workspace), numbered past every {@code taken} one. Under the registry's lock. */
    String generate(SessionSpec spec, Predicate<String> taken) {
        if (spec.kind() == SessionSpec.Kind.CONTAINER && spec.command().isEmpty()) {
            String task = spec.workspace() == null || spec.workspace().getFileName() == null ? "container"
                    : spec.workspace().getFileName().toString();
            return numbered(task, taken);
        }
        String word = Path.of(spec.command().get(0)).getFileName().toString();
        // tmux would rename a session with a '.' (node.js-1 to node_js-1).
        return numbered(spec.kind() == SessionSpec.Kind.TMUX ? word.replace('.', '-') : word, taken);
    }

    private String numbered(String word, Predicate<String> taken) {
        String base = word.replaceAll("[^A-Za-z0-9._-]", "")
                .replaceFirst("^[^A-Za-z0-9]+", "");
        base = base.substring(0, Math.min(base.length(), 48));
        if (base.isEmpty()) {
            base = "session";
        }
        String name;
        do {
            name = base + "-" + (++generated);
        } while (taken.test(name));
        return name;
    }
}

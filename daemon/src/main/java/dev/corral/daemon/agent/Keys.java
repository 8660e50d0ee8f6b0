package dev.corral.daemon.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Key names a responder may send ({@code keys = "Down Enter"}), as the bytes a terminal sends
 * for them. Enter is kept as a key of its own, so a tmux session gets tmux's Enter key rather
 * than a carriage return typed as text.
 */
final class Keys {
    /** One step of what a responder sends: text typed as it is, or the Enter key. */
    record Step(String text, boolean enter) {
        static final Step ENTER = new Step("", true);
    }

    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("escape", "\u001b"), Map.entry("esc", "\u001b"),
            Map.entry("tab", "\t"), Map.entry("space", " "),
            Map.entry("bspace", "\u007f"), Map.entry("backspace", "\u007f"),
            Map.entry("up", "\u001b[A"), Map.entry("down", "\u001b[B"),
            Map.entry("right", "\u001b[C"), Map.entry("left", "\u001b[D"),
            Map.entry("home", "\u001b[H"), Map.entry("end", "\u001b[F"),
            Map.entry("pageup", "\u001b[5~"), Map.entry("pagedown", "\u001b[6~"));

    /** The names {@link #parse} knows, for error messages. */
    static final String KNOWN = "Enter, Esc, Tab, Space, BSpace, Up, Down, Left, Right, Home, End, PageUp, PageDown,"
            + " C-a … C-z, or a single character such as 1 or y";

    private Keys() {}

    /** {@code "Down Enter"} as steps; null when a name is unknown (the caller names it). */
    static List<Step> parse(String names) {
        List<Step> steps = new ArrayList<>();
        for (String name : names.trim().split("\\s+")) {
            if (name.isEmpty()) {
                continue;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("enter") || lower.equals("return")) {
                steps.add(Step.ENTER);
            } else if (NAMED.containsKey(lower)) {
                steps.add(new Step(NAMED.get(lower), false));
            } else if (lower.matches("c-[a-z]")) {
                steps.add(new Step(String.valueOf((char) (lower.charAt(2) - 'a' + 1)), false));
            } else if (name.codePointCount(0, name.length()) == 1) {
                steps.add(new Step(name, false));
            } else {
                return null;
            }
        }
        return steps;
    }

    /** Literal text ({@code send = "2\r"}) as steps: each carriage return becomes the Enter key. */
    static List<Step> literal(String text) {
        List<Step> steps = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r') {
                if (run.length() > 0) {
                    steps.add(new Step(run.toString(), false));
                    run.setLength(0);
                }
                steps.add(Step.ENTER);
            } else {
                run.append(c);
            }
        }
        if (run.length() > 0) {
            steps.add(new Step(run.toString(), false));
        }
        return steps;
    }
}

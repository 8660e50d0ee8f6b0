package dev.corral.daemon.screen;

import java.util.List;

/**
 * What a screen shows at one moment: {@code rows} lines of text (trailing blanks trimmed, as
 * {@code tmux capture-pane -p} prints them), the cursor (0-based column and row), the title
 * (OSC 0/2), the modes in force and the screen's {@link Screen#version() version}.
 */
public record ScreenSnapshot(
        int cols, int rows, List<String> lines, int cursorX, int cursorY, String title, Modes modes, long version) {}

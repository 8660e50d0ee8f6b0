package dev.corral.daemon.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.daemon.session.Refusal;
import dev.corral.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launch directory stays inside the workspace: every way out is refused before anything is made. */
class WorkspaceResolveTest {
    @TempDir
    Path dir;

    private String refusal(Path workspace, String cwd) {
        Refusal e = assertThrows(Refusal.class, () -> Workspace.resolve(workspace, cwd));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        return e.getMessage();
    }

    @Test
    void launchDirectoryInsideTheWorkspace() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("ws/src/main"));
        ws = dir.resolve("ws");
        Workspace resolved = Workspace.resolve(ws, "src/main");
        assertEquals(ws.toRealPath(), resolved.root());
        assertEquals(ws.resolve("src/main").toRealPath(), resolved.launchDir());
        assertNull(resolved.created());
        assertEquals(ws.toRealPath(), Workspace.resolve(ws, null).launchDir(), "no --cwd: the workspace itself");
        assertEquals(ws.resolve("src").toRealPath(), Workspace.resolve(ws, "src/main/..").launchDir(), "'..' that stays inside is fine");
    }

    @Test
    void absolutePathsAndDotDotEscapesAreRefused() throws IOException {
        Path ws = Files.createDirectories(dir.resolve("ws"));
        assertTrue(refusal(ws, "/etc").contains("absolute"));
        assertTrue(refusal(ws, "..").contains("'..'"));
        assertTrue(refusal(ws, "a/../../ws").contains("'..'"), "climbing out and back in is still a climb out");
        assertTrue(refusal(ws, "missing").contains("does not exist"));
    }

    @Test
    void symlinksLeadingOutsideAreRefusedAndNamed() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("ws"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createDirectories(ws.resolve("inner"));
        Files.createSymbolicLink(ws.resolve("out"), outside);
        Files.createSymbolicLink(ws.resolve("in"), ws.resolve("inner"));
        Files.createDirectories(ws.resolve("deep"));
        Files.createSymbolicLink(ws.resolve("deep/up"), Path.of("../.."));
        String message = refusal(ws, "out");
        assertTrue(message.contains("symlink to " + outside.toRealPath()), message);
        assertTrue(refusal(ws, "deep/up").contains("leads outside"));
        assertEquals(ws.resolve("inner").toRealPath(), Workspace.resolve(ws, "in").launchDir(), "a link inside is fine");
    }

    @Test
    void aMissingWorkspaceIsCreatedAndItsTopMostNewDirectoryRemembered() throws Exception {
        Path ws = dir.resolve("new/nested/ws");
        Workspace resolved = Workspace.resolve(ws, null);
        assertTrue(Files.isDirectory(ws));
        assertEquals(dir.resolve("new"), resolved.created());
        Path other = dir.resolve("other");
        assertTrue(refusal(other, "src").contains("does not exist"));
        assertFalse(Files.exists(other), "a refused spawn creates nothing");
        assertTrue(refusal(Path.of("relative/ws"), null).contains("absolute"));
    }
}

package dev.corral.daemon.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The daemon's rooms, read from its compiled classes (every class or descriptor a class file's
 * constant pool names): Netty is used only by the transport ({@code server}, {@code server.web})
 * and by the PTY glue that puts terminals on the epoll loop ({@code terminal}); and no two
 * packages depend on each other, directly or round a longer loop.
 *
 * <p>The root package ({@code dev.corral.daemon}: {@code Corrald}, {@code Daemon}, which wires
 * every room, and the helpers {@code Fatal} and {@code DaemonPaths} that rooms use) is left out
 * of the loop check: until those helpers live in a room of their own and the commands see the
 * daemon through an interface, every room that uses a helper would close a loop through it.
 */
@Timeout(60)
class PackageGraphTest {
    private static final String ROOT = "dev/corral/daemon";
    /** The packages allowed to see Netty: the transport, and the PTY glue on its epoll loop. */
    private static final Set<String> NETTY_ALLOWED = Set.of("server", "server.web", "terminal");
    /** The root package, left out of the loop check (see above). */
    private static final String COMPOSITION_ROOT = "";
    private static final Pattern DAEMON_CLASS = Pattern.compile("(" + ROOT + "(?:/[a-z0-9_]+)*)/[A-Z][A-Za-z0-9_$]*");

    /** Package (relative to dev.corral.daemon, "" for the root) to the packages its classes name. */
    private static final Map<String, Set<String>> uses = new TreeMap<>();
    /** Package to its classes that name a Netty type. */
    private static final Map<String, Set<String>> nettyUsers = new TreeMap<>();

    @BeforeAll
    static void readClasses() throws IOException {
        Path classes = Path.of("target/classes").resolve(ROOT);
        assertTrue(Files.isDirectory(classes), "no compiled classes at " + classes.toAbsolutePath());
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String name = classes.relativize(file).toString().replace('\\', '/');
                String pkg = name.contains("/") ? name.substring(0, name.lastIndexOf('/')).replace('/', '.') : "";
                Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
                for (String text : utf8Constants(file)) {
                    Matcher m = DAEMON_CLASS.matcher(text);
                    while (m.find()) {
                        String target = m.group(1).length() == ROOT.length() ? ""
                                : m.group(1).substring(ROOT.length() + 1).replace('/', '.');
                        if (!target.equals(pkg)) {
                            used.add(target);
                        }
                    }
                    if (text.contains("io/netty/")) {
                        nettyUsers.computeIfAbsent(pkg, p -> new TreeSet<>()).add(name);
                    }
                }
            }
        }
    }

    @Test
    void nettyStaysInTheTransportAndThePtyGlue() {
        Map<String, Set<String>> outside = new TreeMap<>(nettyUsers);
        outside.keySet().removeAll(NETTY_ALLOWED);
        assertEquals(Map.of(), outside, "classes outside " + NETTY_ALLOWED + " that use Netty");
        assertTrue(nettyUsers.containsKey("server"), "the reading found no Netty in server/: it reads nothing");
    }

    @Test
    void noPackageDependsOnItselfRoundALoop() {
        List<Set<String>> cycles = stronglyConnected();
        assertEquals(List.of(), cycles, "package cycles (each set depends on itself through the others); uses: " + uses);
        assertTrue(uses.get("command").contains("session"), "the reading found no dependencies: it reads nothing");
    }

    @Test
    void theCommandsDoNotKnowTheTransport() {
        assertTrue(!uses.get("command").contains("server"), "command/ uses server/: " + uses.get("command"));
    }

    /** Tarjan's strongly connected components with more than one package. */
    private static List<Set<String>> stronglyConnected() {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> found = new ArrayList<>();
        int[] counter = {0};
        for (String pkg : uses.keySet()) {
            if (!pkg.equals(COMPOSITION_ROOT) && !index.containsKey(pkg)) {
                visit(pkg, index, low, stack, onStack, found, counter);
            }
        }
        return found;
    }

    private static void visit(String pkg, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
            Set<String> onStack, List<Set<String>> found, int[] counter) {
        index.put(pkg, counter[0]);
        low.put(pkg, counter[0]++);
        stack.push(pkg);
        onStack.add(pkg);
        for (String next : uses.getOrDefault(pkg, Set.of())) {
            if (next.equals(COMPOSITION_ROOT)) {
                continue;
            }
            if (!index.containsKey(next)) {
                visit(next, index, low, stack, onStack, found, counter);
                low.put(pkg, Math.min(low.get(pkg), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(pkg, Math.min(low.get(pkg), index.get(next)));
            }
        }
        if (low.get(pkg).equals(index.get(pkg))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            } while (!member.equals(pkg));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }

    /** The UTF-8 entries of a class file's constant pool: every class name and type descriptor it mentions. */
    private static List<String> utf8Constants(Path file) throws IOException {
        List<String> texts = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException(file + " is not a class file");
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> texts.add(in.readUTF());
                    case 3, 4 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++; // takes two slots
                    }
                    case 7, 8, 16, 19, 20 -> in.readUnsignedShort();
                    case 9, 10, 11, 12, 17, 18 -> in.readInt();
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    default -> throw new IOException(file + ": unknown constant pool tag " + tag);
                }
            }
        }
        return texts;
    }
}

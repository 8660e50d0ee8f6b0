package dev.corral.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.daemon.process.ExactCommandLine;
import dev.corral.protocol.Events;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.LogOutputStream;
import org.apache.commons.exec.PumpStreamHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's own account of this daemon's containers: one {@code docker events} stream per
 * daemon, filtered by the owner label, read line by line on one thread (no polling), each line
 * published on the {@code containers} channel as created, started, died (status, OOM-killed),
 * removed or health. The stream starts with the first container session; when the engine ends
 * it, it is started again with {@code --since} the last event seen, for as long as
 * {@code wanted} says container sessions remain.
 */
public final class ContainerEvents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ContainerEvents.class);
    private static final long MAX_PAUSE_MILLIS = TimeUnit.SECONDS.toMillis(30);

    /** Where an event goes: the daemon's hub, on the containers channel. */
    public interface Sink {
        void publish(String type, Map<String, Object> data);
    }

    private final ContainerEngine engine;
    private final String owner;
    private final Sink sink;
    private final BooleanSupplier wanted;
    private final ObjectMapper mapper = new ObjectMapper();
    /** Containers the engine reported out of memory, until their death is told. */
    private final Set<String> oomKilled = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    /** Guarded by lock. */
    private Thread reader;
    /** Guarded by lock. */
    private ExecuteWatchdog watchdog;
    private volatile boolean closed;
    /** docker's timeNano of the last event published, so a restarted stream neither repeats nor skips. */
    private volatile long lastNanos;

    public ContainerEvents(ContainerEngine engine, String owner, Sink sink, BooleanSupplier wanted) {
        this.engine = engine;
        this.owner = owner;
        this.sink = sink;
        this.wanted = wanted;
    }

    /** Starts the stream unless it runs; cheap to call on every container spawn and adoption. */
    public void ensureRunning() {
        synchronized (lock) {
            if (closed || (reader != null && reader.isAlive())) {
                return;
            }
            if (lastNanos == 0) {
                // The container this start is for may be created before the stream is up: ask for the last moments too.
                lastNanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) - TimeUnit.SECONDS.toNanos(5);
            }
            reader = new Thread(this::run, "container-events");
            reader.setDaemon(true);
            reader.start();
        }
    }

    private void run() {
        long pauseMillis = 1000;
        while (!closed) {
            long began = System.nanoTime();
            int code = stream();
            if (closed || !wanted.getAsBoolean()) {
                break;
            }
            if (TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began) > 60) {
                pauseMillis = 1000;
            }
            log.debug("docker events ended with {}; again in {} ms", code, pauseMillis);
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                return;
            }
            pauseMillis = Math.min(pauseMillis * 2, MAX_PAUSE_MILLIS);
        }
        synchronized (lock) {
            reader = null;
        }
    }

    /** One run of {@code docker events}, until the engine or {@link #close} ends it. */
    private int stream() {
        List<String> argv;
        try {
            argv = engine.argv(arguments(owner, lastNanos));
        } catch (EngineException e) {
            log.debug("no container events: {}", e.getMessage());
            return -1;
        }
        ExactCommandLine line = new ExactCommandLine(argv);
        ExecuteWatchdog dog = ExecuteWatchdog.builder().setTimeout(ExecuteWatchdog.INFINITE_TIMEOUT_DURATION).get();
        synchronized (lock) {
            if (closed) {
                return -1;
            }
            watchdog = dog;
        }
        LogOutputStream lines = new LogOutputStream() {
            @Override
            protected void processLine(String text, int level) {
                accept(text);
            }
        };
        LogOutputStream complaints = new LogOutputStream() {
            @Override
            protected void processLine(String text, int level) {
                log.debug("docker events: {}", text);
            }
        };
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(new PumpStreamHandler(lines, complaints));
        executor.setWatchdog(dog);
        executor.setExitValues(null);
        try {
            return executor.execute(line, engine.environment());
        } catch (ExecuteException e) {
            return e.getExitValue();
        } catch (IOException e) {
            log.debug("docker events did not run: {}", e.getMessage());
            return -1;
        }
    }

    /** The argv after {@code docker}: this owner's containers, as JSON lines, from just after {@code sinceNanos}. */
    static List<String> arguments(String owner, long sinceNanos) {
        List<String> args = new java.util.ArrayList<>(List.of("events", "--filter", "type=container", "--filter",
                "label=" + Labels.OWNER + "=" + owner, "--format", "{{json .}}"));
        if (sinceNanos > 0) {
            args.add("--since");
            args.add(Long.toString(TimeUnit.NANOSECONDS.toSeconds(sinceNanos)));
        }
        return args;
    }

    void accept(String line) {
        Optional<Parsed> parsed = parse(line);
        if (parsed.isEmpty() || parsed.get().nanos() <= lastNanos) {
            return;
        }
        lastNanos = parsed.get().nanos();
        Parsed event = parsed.get();
        if (event.type() == null) {
            if ("oom".equals(event.action())) {
                oomKilled.add(event.id());
            }
            return;
        }
        if (event.type().equals(Events.CONTAINER_DIED)) {
            event.data().put("oomKilled", oomKilled.remove(event.id()));
        }
        sink.publish(event.type(), event.data());
    }

    /** One line of docker's JSON as corral's event: its type (null when not told on its own) and data. */
    record Parsed(String type, String action, String id, long nanos, Map<String, Object> data) {}

    Optional<Parsed> parse(String line) {
        JsonNode event;
        try {
            event = mapper.readTree(line);
        } catch (IOException e) {
            log.debug("docker events wrote a line that is not JSON: {}", line);
            return Optional.empty();
        }
        if (event == null || !"container".equals(event.path("Type").asText())) {
            return Optional.empty();
        }
        String action = event.path("Action").asText("");
        JsonNode attributes = event.path("Actor").path("Attributes");
        String id = event.path("Actor").path("ID").asText(event.path("id").asText(""));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("container", attributes.path("name").asText(""));
        data.put("containerId", id);
        data.put("session", attributes.path(Labels.SESSION).asText(""));
        data.put("sessionId", attributes.path(Labels.SESSION_ID).asText(""));
        data.put("image", attributes.path("image").asText(""));
        String type = switch (action) {
            case "create" -> Events.CONTAINER_CREATED;
            case "start" -> Events.CONTAINER_STARTED;
            case "die" -> Events.CONTAINER_DIED;
            case "destroy" -> Events.CONTAINER_REMOVED;
            default -> action.startsWith("health_status") ? Events.CONTAINER_HEALTH : null;
        };
        if (Events.CONTAINER_DIED.equals(type)) {
            data.put("exitCode", attributes.path("exitCode").asInt(-1));
        }
        if (Events.CONTAINER_HEALTH.equals(type)) {
            data.put("health", action.substring(action.indexOf(':') + 1).strip());
        }
        return Optional.of(new Parsed(type, action, id, event.path("timeNano").asLong(0), data));
    }

    @Override
    public void close() {
        ExecuteWatchdog dog;
        Thread thread;
        synchronized (lock) {
            closed = true;
            dog = watchdog;
            thread = reader;
        }
        if (dog != null) {
            dog.destroyProcess();
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}

import dev.corral.protocol.Frames;
import dev.corral.protocol.Json;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The events benchmark (run by bench/events.sh): N subscribers on one daemon. Measures how many
 * events per second reach them all while clients come and go as fast as they can, and how long a
 * session's exit takes to reach each subscriber as an event; then the same with some subscribers
 * that stop reading, to show they slow nobody down. Prints Markdown.
 *
 *   java -cp PROTOCOL_JARS EventsBench.java SOCKET SUBSCRIBERS CLIENTS EXITS STALLED
 */
public final class EventsBench {
    static Path socket;

    /** One subscriber on its own thread: counts what it reads, notes when each exit arrived. */
    static final class Subscriber implements Runnable {
        final SocketChannel channel;
        volatile long events;
        volatile long gaps;
        volatile long dropped;
        volatile long lastSeq;
        volatile boolean seqBroken;
        volatile CountDownLatch stall;
        final Map<String, Long> exitSeenAt = new ConcurrentHashMap<>();
        final Map<String, Long> exitPublishedAt = new ConcurrentHashMap<>();

        Subscriber() throws IOException {
            channel = connect();
            call(channel, "events.subscribe", Map.of());
        }

        @Override
        public void run() {
            try {
                while (true) {
                    CountDownLatch pause = stall;
                    if (pause != null) {
                        pause.await();
                    }
                    byte[] frame = Frames.read(channel);
                    if (frame == null) {
                        return;
                    }
                    long now = epochNanos(Instant.now());
                    String text = new String(frame, StandardCharsets.UTF_8);
                    long seq = Long.parseLong(text.substring(text.indexOf("\"seq\":") + 6, text.indexOf(',', text.indexOf("\"seq\":"))));
                    if (seq != lastSeq + 1) {
                        seqBroken = true;
                    }
                    lastSeq = seq;
                    if (text.contains("\"type\":\"gap\"")) {
                        gaps++;
                        dropped += ((Number) data(frame).get("dropped")).longValue();
                    } else {
                        events++;
                        if (text.contains("\"type\":\"session.exited\"")) {
                            Map<?, ?> event = (Map<?, ?>) ((Map<?, ?>) Json.read(frame)).get("event");
                            String name = (String) ((Map<?, ?>) event.get("data")).get("session");
                            exitPublishedAt.put(name, epochNanos(Instant.parse((String) event.get("time"))));
                            exitSeenAt.put(name, now);
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the bench is over
            }
        }

        static Map<?, ?> data(byte[] frame) throws IOException {
            return (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) Json.read(frame)).get("event")).get("data");
        }
    }

    static long epochNanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    static SocketChannel connect() throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        call(channel, "hello", Map.of("version", dev.corral.protocol.Protocol.VERSION, "client", "EventsBench"));
        return channel;
    }

    static long nextId = 1;

    @SuppressWarnings("unchecked")
    static synchronized Map<String, Object> call(SocketChannel channel, String op, Map<String, ?> args) throws IOException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", nextId++);
        request.put("op", op);
        request.put("args", args);
        Frames.write(channel, Json.write(request));
        Map<String, Object> response = (Map<String, Object>) Json.read(Frames.read(channel));
        if (response.containsKey("error")) {
            throw new IOException(op + " failed: " + response.get("error"));
        }
        return (Map<String, Object>) response.get("result");
    }

    static Map<String, Object> once(String op, Map<String, ?> args) throws IOException {
        try (SocketChannel channel = connect()) {
            return call(channel, op, args);
        }
    }

    @SuppressWarnings("unchecked")
    static long lastId() throws IOException {
        return ((Number) ((Map<String, Object>) once("daemon.status", Map.of()).get("events")).get("lastId")).longValue();
    }

    static void spawn(String name, List<String> command) throws IOException {
        once("session.spawn", Map.of("name", name, "command", command, "cwd", System.getProperty("java.io.tmpdir")));
    }

    static void awaitExitSeen(List<Subscriber> readers, String name) {
        long end = System.nanoTime() + 60_000_000_000L;
        for (Subscriber subscriber : readers) {
            while (!subscriber.exitSeenAt.containsKey(name)) {
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("no subscriber saw " + name + " exit within a minute");
                }
                LockSupport.parkNanos(200_000);
            }
        }
    }

    record Throughput(long published, double publishSeconds, long deliveries, double deliverySeconds, double daemonCpuSeconds) {}

    static long daemonPid;

    /** The daemon's CPU time so far (user + system), from /proc. */
    static double daemonCpuSeconds() throws IOException {
        String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(daemonPid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // utime, stime in clock ticks
    }

    /** Clients attach and leave as fast as they can (two events each), then a marker session exits. */
    static Throughput throughput(List<Subscriber> readers, int clients, String marker) throws Exception {
        long firstId = lastId();
        long before = readers.stream().mapToLong(s -> s.events).sum();
        AtomicInteger left = new AtomicInteger(clients);
        List<Thread> generators = new ArrayList<>();
        double cpuBefore = daemonCpuSeconds();
        long start = System.nanoTime();
        for (int g = 0; g < 4; g++) {
            Thread generator = new Thread(() -> {
                try {
                    while (left.getAndDecrement() > 0) {
                        try (SocketChannel channel = connect()) {
                            call(channel, "session.attach", Map.of("name", "bench-target", "readOnly", true, "noReplay", true));
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            generator.start();
            generators.add(generator);
        }
        for (Thread generator : generators) {
            generator.join();
        }
        long generated = System.nanoTime();
        spawn(marker, List.of("true"));
        awaitExitSeen(readers, marker);
        long delivered = System.nanoTime();
        double cpu = daemonCpuSeconds() - cpuBefore;
        long published = lastId() - firstId;
        long deliveries = readers.stream().mapToLong(s -> s.events).sum() - before;
        return new Throughput(published, (generated - start) / 1e9, deliveries, (delivered - start) / 1e9, cpu);
    }

    record Latency(List<Double> seen, List<Double> published) {}

    /** Sessions that print the time and exit at once, one after another: exit → event at each subscriber. */
    static Latency latency(List<Subscriber> readers, int exits, String prefix) throws Exception {
        List<Double> seen = new ArrayList<>();
        List<Double> published = new ArrayList<>();
        for (int i = 0; i < exits; i++) {
            String name = prefix + i;
            spawn(name, List.of("sh", "-c", "exec date +%s%N"));
            awaitExitSeen(readers, name);
            String output = ((String) once("session.tail", Map.of("name", name)).get("output")).trim();
            long exitedAt = Long.parseLong(output.replaceAll("[^0-9]", ""));
            for (Subscriber subscriber : readers) {
                seen.add((subscriber.exitSeenAt.get(name) - exitedAt) / 1e6);
            }
            published.add((readers.get(0).exitPublishedAt.get(name) - exitedAt) / 1e6);
        }
        return new Latency(seen, published);
    }

    static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100 * sorted.size()) - 1));
    }

    static String row(String label, int reading, Throughput t, Latency l, String gaps) {
        return String.format("| %s | %d | %d | %.0f | %d | %.0f | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %s |",
                label, reading, t.published(), t.published() / t.publishSeconds(), t.deliveries(),
                t.deliveries() / t.deliverySeconds(), t.daemonCpuSeconds() * 1e6 / t.deliveries(), percentile(l.published(), 50),
                percentile(l.seen(), 50), percentile(l.seen(), 90), percentile(l.seen(), 99),
                Collections.max(l.seen()), gaps);
    }

    public static void main(String[] args) throws Exception {
        socket = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        int clients = Integer.parseInt(args[2]);
        int exits = Integer.parseInt(args[3]);
        int stalledCount = Integer.parseInt(args[4]);

        daemonPid = ((Number) once("daemon.status", Map.of()).get("pid")).longValue();
        spawn("bench-target", List.of("sleep", "3600"));
        List<Subscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Subscriber subscriber = new Subscriber();
            subscribers.add(subscriber);
            Thread reader = new Thread(subscriber, "subscriber-" + i);
            reader.setDaemon(true);
            reader.start();
        }
        // Warm-up: the daemon's and this program's JIT, off the record.
        throughput(subscribers, clients / 4, "bench-warm-up");
        latency(subscribers, 3, "bench-warm-latency-");

        List<String> rows = new ArrayList<>();
        Throughput all = throughput(subscribers, clients, "bench-marker-all");
        Latency allLatency = latency(subscribers, exits, "bench-latency-all-");
        long readerGaps = subscribers.stream().mapToLong(s -> s.gaps).sum();
        rows.add(row("all reading", count, all, allLatency, readerGaps + " / –"));

        List<Subscriber> stalled = subscribers.subList(0, stalledCount);
        List<Subscriber> reading = subscribers.subList(stalledCount, count);
        CountDownLatch resume = new CountDownLatch(1);
        stalled.forEach(s -> s.stall = resume);
        long gapsBefore = reading.stream().mapToLong(s -> s.gaps).sum();
        Throughput some = throughput(reading, clients, "bench-marker-some");
        Latency someLatency = latency(reading, exits, "bench-latency-some-");
        long readingGaps = reading.stream().mapToLong(s -> s.gaps).sum() - gapsBefore;
        stalled.forEach(s -> s.stall = null);
        resume.countDown();
        // What they missed while stopped was dropped; a new exit reaches them once they caught up.
        spawn("bench-final", List.of("true"));
        awaitExitSeen(stalled, "bench-final");
        long stalledGaps = stalled.stream().mapToLong(s -> s.gaps).sum();
        long stalledDropped = stalled.stream().mapToLong(s -> s.dropped).sum();
        rows.add(row(stalledCount + " stopped reading", count - stalledCount, some, someLatency,
                readingGaps + " / " + stalledGaps + " (" + stalledDropped + " events)"));

        boolean seqOk = subscribers.stream().noneMatch(s -> s.seqBroken);
        System.out.println("| subscribers | reading | events published | published/s | deliveries | delivered/s"
                + " | daemon CPU µs per delivery | exit→published ms (median) | exit→received ms median | p90 | p99 | max"
                + " | gaps: readers / stopped |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        rows.forEach(System.out::println);
        System.out.println();
        System.out.println("seq without holes at every subscriber: " + (seqOk ? "yes" : "NO"));
        System.out.println("latency samples: " + allLatency.seen().size() + " per row (" + exits + " exits × subscribers reading)");
        System.exit(seqOk ? 0 : 1);
    }
}

package dev.corral.daemon.event;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The journal's segments, oldest first: changed on the hub's thread, copied by readers, under this object's lock. */
final class Segments {
    private final List<Segment> list = new ArrayList<>();

    synchronized void add(Segment segment) {
        list.add(segment);
    }

    synchronized Segment newest() {
        return list.isEmpty() ? null : list.get(list.size() - 1);
    }

    synchronized Segment oldest() {
        return list.isEmpty() ? null : list.get(0);
    }

    synchronized boolean isEmpty() {
        return list.isEmpty();
    }

    synchronized List<Segment> snapshot() {
        return List.copyOf(list);
    }

    synchronized int events() {
        return list.stream().mapToInt(s -> s.count).sum();
    }

    /** The oldest id still held, or 0 when none is. */
    synchronized long oldestId() {
        return list.stream().filter(s -> s.lastId >= s.firstId).mapToLong(s -> s.firstId).findFirst().orElse(0);
    }

    /** Takes the oldest segments off while {@code gone} says so of the oldest, given the events of the others. */
    synchronized List<Segment> dropOldestWhile(Predicate<Segment> gone) {
        List<Segment> dropped = new ArrayList<>();
        while (!list.isEmpty() && gone.test(list.get(0))) {
            dropped.add(list.remove(0));
        }
        return dropped;
    }
}

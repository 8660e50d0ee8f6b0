package dev.corral.daemon.agent;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;

/**
 * A profile's responders as one session's screens show their dialogs: a responder answers when
 * its dialog appears, once per appearance (again only after the dialog has left the screen, or
 * when the dialog and the whole screen stayed exactly as they were {@link #REANSWER_NANOS} after
 * the answer, so the keys were not heard), at most {@link #MAX_ANSWERS} times; its {@code within}
 * counts from its first answer. Guarded by the {@link OutputWatcher}'s lock.
 */
final class Responders {
    /** A responder answers at most this often per session: a dialog that never clears must not become a loop. */
    static final int MAX_ANSWERS = 10;
    /**
     * A dialog still on screen, the screen unchanged this long after its answer, is answered again:
     * a program starting up may drop the keys that came before it listened (seen with Codex under load).
     */
    static final long REANSWER_NANOS = TimeUnit.SECONDS.toNanos(3);

    private final List<Profile.Responder> responders;
    /** Per responder: its dialog is on screen now (answered when it appeared). */
    private final boolean[] present;
    /** Per responder: when it first answered (0: never), for its {@code within}. */
    private final long[] answeredAt;
    private final int[] answers;
    /** Per responder: when it last answered (0: never). */
    private final long[] lastAnswerAt;

    Responders(List<Profile.Responder> responders) {
        this.responders = responders;
        int n = responders.size();
        this.present = new boolean[n];
        this.answeredAt = new long[n];
        this.answers = new int[n];
        this.lastAnswerAt = new long[n];
    }

    /**
     * The screen now is {@code text}, last changed at {@code changedAt}: each responder whose
     * answer is due is handed to {@code answer} with what it matched. True when a dialog some
     * responder knows is on screen.
     */
    boolean look(String text, long now, long changedAt, boolean ready, BiConsumer<Profile.Responder, String> answer) {
        boolean dialog = false;
        for (int i = 0; i < responders.size(); i++) {
            Matcher m = responders.get(i).when().matcher(text);
            boolean on = m.find();
            if (on && (!present[i] || unheard(i, now, changedAt, ready)) && answers[i] < MAX_ANSWERS) {
                answers[i]++;
                lastAnswerAt[i] = now;
                if (answeredAt[i] == 0) {
                    // Counted from the first answer: a dialog that keeps coming back does not push it on.
                    answeredAt[i] = now;
                }
                answer.accept(responders.get(i), m.group());
            }
            present[i] = on;
            dialog |= on;
        }
        return dialog;
    }

    /** The responder answered, yet its dialog and the whole screen stayed as they were: the keys were not heard. */
    private boolean unheard(int index, long now, long changedAt, boolean ready) {
        long last = lastAnswerAt[index];
        return !ready && last != 0 && changedAt <= last && now - last >= REANSWER_NANOS;
    }

    /** Why the session is stuck when a responder's {@code within} has passed since it answered, else null. */
    String overdue(long now) {
        for (int i = 0; i < answeredAt.length; i++) {
            Profile.Responder responder = responders.get(i);
            if (answeredAt[i] != 0 && Duration.ofNanos(now - answeredAt[i]).compareTo(responder.within()) >= 0) {
                return "not ready " + OutputWatcher.seconds(responder.within()) + " after answering /" + responder.when().pattern() + "/";
            }
        }
        return null;
    }
}

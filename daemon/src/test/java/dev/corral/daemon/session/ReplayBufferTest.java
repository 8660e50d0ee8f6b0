package dev.corral.daemon.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ReplayBufferTest {
    @Test
    void keepsTheNewestBytesWhateverTheSizesOfTheWrites() {
        Random random = new Random(13);
        for (int capacity : new int[] {1, 7, 1024, 1500, 65536}) {
            ReplayBuffer buffer = new ReplayBuffer(capacity);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            assertArrayEquals(new byte[0], buffer.snapshot(), "nothing written yet");
            for (int i = 0; i < 400; i++) {
                int length = random.nextInt(4) == 0 ? random.nextInt(3 * capacity + 2) : random.nextInt(Math.max(1, capacity / 3) + 1);
                byte[] chunk = new byte[length + 4];
                random.nextBytes(chunk);
                buffer.append(chunk, 2, length);
                all.write(chunk, 2, length);
                byte[] expected = all.toByteArray();
                byte[] kept = Arrays.copyOfRange(expected, Math.max(0, expected.length - capacity), expected.length);
                assertArrayEquals(kept, buffer.snapshot(), "capacity " + capacity + " after write " + i);
                int limit = random.nextInt(capacity + 1);
                assertArrayEquals(Arrays.copyOfRange(kept, Math.max(0, kept.length - limit), kept.length), buffer.snapshot(limit));
                assertEquals(expected.length, buffer.written());
            }
        }
    }
}

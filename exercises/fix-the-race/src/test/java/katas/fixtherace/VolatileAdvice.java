package katas.fixtherace;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * What a lost-update message adds when the count sits in a {@code volatile} field: the most common wrong
 * fix, and the same symptom as no fix at all, so the learner needs to hear why it is not enough.
 */
final class VolatileAdvice {

    private VolatileAdvice() {
    }

    /** {@code lost} with the advice added when {@code counter} keeps a number in a volatile field; else {@code lost}. */
    static AssertionError added(AssertionError lost, Object counter) {
        String advice = about(counter);
        if (advice.isEmpty()) {
            return lost;
        }
        AssertionError more = new AssertionError(lost.getMessage() + "\n" + advice, lost.getCause());
        more.setStackTrace(lost.getStackTrace());
        return more;
    }

    /** The advice for the first volatile number field of {@code counter}'s class; empty when it has none. */
    static String about(Object counter) {
        for (Field field : counter.getClass().getDeclaredFields()) {
            int modifiers = field.getModifiers();
            Class<?> type = field.getType();
            if (Modifier.isVolatile(modifiers) && (type == long.class || type == int.class)) {
                return "The count is in a volatile field ('" + field.getName() + "'): volatile makes every write seen "
                        + "by every thread, but " + field.getName() + "++ is still a read, an add and a write, and "
                        + "another thread can write in between, so one of the two hits is lost. Make the three one "
                        + "step: an AtomicLong (incrementAndGet), a LongAdder, or a lock around the read and the write.";
            }
        }
        return "";
    }
}

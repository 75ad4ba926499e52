package katas.fixtherace;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * What a lost-update message adds when the number (a count, a balance) sits in a {@code volatile} field: the
 * most common wrong fix, and the same symptom as no fix at all, so the learner needs to hear why it is not enough.
 */
final class VolatileAdvice {

    private VolatileAdvice() {
    }

    /** {@code lost} with the advice added when {@code holder} keeps a number in a volatile field; else {@code lost}. */
    static AssertionError added(AssertionError lost, Object holder) {
        String advice = about(holder);
        if (advice.isEmpty()) {
            return lost;
        }
        AssertionError more = new AssertionError(lost.getMessage() + "\n" + advice, lost.getCause());
        more.setStackTrace(lost.getStackTrace());
        return more;
    }

    /** The advice for the first volatile number field of {@code holder}'s class; empty when it has none. */
    static String about(Object holder) {
        for (Field field : holder.getClass().getDeclaredFields()) {
            int modifiers = field.getModifiers();
            Class<?> type = field.getType();
            if (Modifier.isVolatile(modifiers) && (type == long.class || type == int.class)) {
                String name = field.getName();
                return "'" + name + "' is a volatile field: volatile makes every write seen by every thread, but "
                        + name + "++ or " + name + " += n is still a read, an add and a write, and another thread can "
                        + "write in between, so one of the two updates is lost. Make them one step: a lock around the "
                        + "read and the write (and around any check they depend on), or an atomic (AtomicLong's "
                        + "incrementAndGet or a compare-and-set loop, a LongAdder).";
            }
        }
        return "";
    }
}

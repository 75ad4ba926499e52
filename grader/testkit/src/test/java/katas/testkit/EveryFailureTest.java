package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EveryFailureTest {

    @Test
    void holdsTheJvmsErrorsCheckedExceptionsAndThrowablesThatAreNeither() {
        List<Throwable> all = EveryFailure.all("the store");
        assertThat(all).anyMatch(t -> t instanceof OutOfMemoryError).anyMatch(t -> t instanceof StackOverflowError)
                .anyMatch(t -> t instanceof LinkageError).anyMatch(t -> t instanceof java.io.IOException)
                .anyMatch(t -> !(t instanceof Exception) && !(t instanceof Error))
                .anyMatch(t -> t.getClass().getName().equals("java.lang.ThreadDeath"));
        assertThat(all).allMatch(t -> EveryFailure.describe(t).startsWith(t.getClass().getSimpleName()));
    }

    @Test
    void shufflesTheSameKindsBySeed() {
        List<String> first = EveryFailure.shuffled(new Shapes(7, 1), "order", "x").stream().map(EveryFailure::describe)
                .toList();
        List<String> again = EveryFailure.shuffled(new Shapes(7, 1), "order", "x").stream().map(EveryFailure::describe)
                .toList();
        assertThat(again).isEqualTo(first).containsExactlyInAnyOrderElementsOf(EveryFailure.all("x").stream()
                .map(EveryFailure::describe).toList());
    }
}

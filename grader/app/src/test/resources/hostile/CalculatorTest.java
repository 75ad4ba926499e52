package hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import katas.testkit.KataTest;

@TestMethodOrder(MethodOrderer.MethodName.class)
@Tag("rule-1")
@KataTest
class CalculatorTest {

    @Test
    void a_answersFortyTwo() {
        assertEquals(42, new Calculator().answer());
    }

    /** Earns nothing (the untouched stub passes it), but shows that the tests after a broken one still run. */
    @Test
    @Tag("precondition")
    void b_stillRunsAfterTheFirstTest() {
        assertEquals(2, 1 + 1);
    }
}

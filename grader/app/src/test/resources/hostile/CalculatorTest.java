package hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@TestMethodOrder(MethodOrderer.MethodName.class)
class CalculatorTest {

    @Test
    void a_answersFortyTwo() {
        assertEquals(42, new Calculator().answer());
    }

    @Test
    void b_stillRunsAfterTheFirstTest() {
        assertEquals(2, 1 + 1);
    }
}

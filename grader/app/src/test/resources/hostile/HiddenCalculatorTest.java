package hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import katas.testkit.KataTest;

@Tag("rule-1")
@KataTest
class HiddenCalculatorTest {

    @Test
    void answersFortyTwoEveryTime() {
        for (int i = 0; i < 3; i++) {
            assertEquals(42, new Calculator().answer(), "the answer changed on call " + i);
        }
    }
}

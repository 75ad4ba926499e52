package katas.grader.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Wrapping text to the terminal")
class TextWrapTest {

    @Test
    @DisplayName("breaks a long line between words, the continuation lines behind their own indent")
    void breaksBetweenWords() {
        assertThat(TextWrap.wrap("one two three four five", "> ", "  ", 12))
                .containsExactly("> one two", "  three four", "  five");
    }

    @Test
    @DisplayName("keeps a line's own indentation on each of its pieces, so a deadlock cycle stays readable")
    void keepsIndentation() {
        assertThat(TextWrap.wrapAll("cycle:\n  teller-1 holds A and waits for B", "- ", "  ", 20))
                .containsExactly("- cycle:", "    teller-1 holds A", "    and waits for B");
    }

    @Test
    @DisplayName("never cuts a word longer than the line: it stands whole on a line of its own")
    void neverCutsAWord() {
        assertThat(TextWrap.wrap("at Bank.transfer(Bank.java:42) now", "", "", 10))
                .containsExactly("at", "Bank.transfer(Bank.java:42)", "now");
    }

    @Test
    @DisplayName("takes the width from COLUMNS, 100 when it is missing or not a number, never below 40")
    void widthFromColumns() {
        assertThat(TextWrap.columns(Map.of("COLUMNS", "132"))).isEqualTo(132);
        assertThat(TextWrap.columns(Map.of())).isEqualTo(100);
        assertThat(TextWrap.columns(Map.of("COLUMNS", "wide"))).isEqualTo(100);
        assertThat(TextWrap.columns(Map.of("COLUMNS", "10"))).isEqualTo(40);
    }
}

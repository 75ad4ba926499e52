package katas.grader.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import katas.grader.scoring.KataResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

@DisplayName("JUnit XML")
class JUnitXmlTest {

    @Test
    @DisplayName("A full kata is one passing testcase per test, named <kata>.<part>, with no failure")
    void fullKata() throws Exception {
        Element suite = parse(Grades.full());

        assertThat(suite.getAttribute("name")).isEqualTo("fix-the-race");
        assertThat(counts(suite)).containsExactly("4", "0", "0", "0");
        assertThat(suite.getAttribute("time")).isEqualTo("1.500");
        List<Element> cases = children(suite, "testcase");
        assertThat(cases).extracting(c -> c.getAttribute("classname"))
                .containsExactly("fix-the-race.visible", "fix-the-race.visible", "fix-the-race.hidden",
                        "fix-the-race.hidden");
        assertThat(cases.get(0).getAttribute("name")).isEqualTo("HitCounter > counts every hit");
        assertThat(cases.get(0).getAttribute("time")).isEqualTo("0.012");
        assertThat(suite.getElementsByTagName("failure").getLength()).isZero();
    }

    @Test
    @DisplayName("A lost test is a failure carrying its message, and its output is the testcase's system-out")
    void partialKata() throws Exception {
        Element suite = parse(Grades.partial());

        assertThat(counts(suite)).containsExactly("7", "2", "0", "0");
        Element lost = children(suite, "testcase").get(1);
        Element failure = children(lost, "failure").get(0);
        assertThat(failure.getAttribute("message")).isEqualTo(Grades.NASTY_MESSAGE);
        assertThat(failure.getAttribute("type")).isEqualTo("FAILED");
        assertThat(failure.getTextContent()).contains("Expecting actual:");
        assertThat(children(lost, "system-out").get(0).getTextContent()).startsWith("withdrawing 10");
        Element hung = children(suite, "testcase").get(5);
        assertThat(children(hung, "failure").get(0).getAttribute("type")).isEqualTo("TIMED_OUT");
    }

    @Test
    @DisplayName("Characters XML forbids in the learner's output (ANSI colours) do not make the file unreadable")
    void forbiddenCharacters() throws Exception {
        Element suite = parse(Grades.partial());

        String output = children(children(suite, "testcase").get(1), "system-out").get(0).getTextContent();
        assertThat(output).contains("\uFFFD[31mred").doesNotContain("\u001b");
    }

    @Test
    @DisplayName("An incident goes to its test's system-err; notes and incidents outside any test are properties")
    void incidentsAndNotes() throws Exception {
        Element suite = parse(Grades.partial());

        assertThat(children(children(suite, "testcase").get(5), "system-err").get(0).getTextContent())
                .isEqualTo("HANG in BankAccount > transfers > both ways: deadlock: Thread-1 holds A, wants B\n"
                        + "  Thread-1 holds A, waits for B\n  Thread-2 holds B, waits for A");
        assertThat(properties(suite)).contains("points=71", "maxPoints=100",
                "incident=OUTPUT: printed more than 1 MB; the rest was dropped",
                "note=the visible tests could not be verified against the kit");
    }

    @Test
    @DisplayName("A speedup part is one testcase, failed with the reason when short of its target")
    void speedupPart() throws Exception {
        Element suite = parse(Grades.speedup());

        assertThat(counts(suite)).containsExactly("2", "1", "0", "0");
        Element speedup = children(suite, "testcase").get(1);
        assertThat(speedup.getAttribute("classname")).isEqualTo("parallel-primes.speedup");
        assertThat(speedup.getAttribute("name")).isEqualTo("Speedup");
        assertThat(children(speedup, "failure").get(0).getAttribute("message"))
                .isEqualTo("measured 1.45x, 0.35x short of the 1.80x target");
        assertThat(children(speedup, "system-out").get(0).getTextContent()).contains("1.45x on 2 cores (target 1.80x");
    }

    @Test
    @DisplayName("A speedup part left out of the maximum on one core is skipped, not failed")
    void notMeasurable() throws Exception {
        Element suite = parse(Grades.speedupOnOneCore());

        assertThat(counts(suite)).containsExactly("2", "0", "0", "1");
        assertThat(children(children(suite, "testcase").get(1), "skipped").get(0).getAttribute("message"))
                .isEqualTo("speedup cannot be measured on 1 core");
    }

    @Test
    @DisplayName("Code that does not compile is one failed testcase with the compiler's message")
    void doesNotCompile() throws Exception {
        Element suite = parse(Grades.doesNotCompile());

        assertThat(counts(suite)).containsExactly("1", "1", "0", "0");
        Element only = children(suite, "testcase").get(0);
        assertThat(only.getAttribute("classname")).isEqualTo("break-the-deadlock");
        Element failure = children(only, "failure").get(0);
        assertThat(failure.getAttribute("message")).isEqualTo("Account.java:12: error: ';' expected");
        assertThat(failure.getAttribute("type")).isEqualTo("DOES_NOT_COMPILE");
        assertThat(failure.getTextContent()).contains("balance -= amount");
    }

    @Test
    @DisplayName("A kata whose manifest cannot be read is one testcase in error, not the learner's failure")
    void invalidManifest() throws Exception {
        Element suite = parse(Grades.invalidManifest());

        assertThat(counts(suite)).containsExactly("1", "0", "1", "0");
        assertThat(children(children(suite, "testcase").get(0), "error").get(0).getAttribute("message"))
                .isEqualTo("kata.json: unknown field \"pionts\"");
    }

    private static List<String> properties(Element suite) {
        return children(children(suite, "properties").get(0), "property").stream()
                .map(p -> p.getAttribute("name") + "=" + p.getAttribute("value")).toList();
    }

    /** tests, failures, errors, skipped. */
    private static List<String> counts(Element suite) {
        return List.of(suite.getAttribute("tests"), suite.getAttribute("failures"), suite.getAttribute("errors"),
                suite.getAttribute("skipped"));
    }

    private static Element parse(KataResult kata) throws Exception {
        byte[] xml = JUnitXml.render(kata).getBytes(StandardCharsets.UTF_8);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(xml));
        Element suite = doc.getDocumentElement();
        assertThat(suite.getTagName()).isEqualTo("testsuite");
        // Surefire's schema allows nothing else in a suite (no suite-level output, unlike Ant's).
        assertThat(children(suite, "properties").size() + children(suite, "testcase").size())
                .isEqualTo(children(suite, "*").size());
        // The counts in the attributes must agree with the testcases, or CI reporters disagree with each other.
        assertThat(Integer.parseInt(suite.getAttribute("tests"))).isEqualTo(children(suite, "testcase").size());
        assertThat(Integer.parseInt(suite.getAttribute("failures"))).isEqualTo(doc.getElementsByTagName("failure")
                .getLength());
        assertThat(Integer.parseInt(suite.getAttribute("errors"))).isEqualTo(doc.getElementsByTagName("error")
                .getLength());
        assertThat(Integer.parseInt(suite.getAttribute("skipped"))).isEqualTo(doc.getElementsByTagName("skipped")
                .getLength());
        return suite;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && (tag.equals("*") || e.getTagName().equals(tag))) {
                found.add(e);
            }
        }
        return found;
    }
}

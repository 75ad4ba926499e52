package katas.grader.report;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import katas.grader.execution.Incident;
import katas.grader.execution.TestRecord;
import katas.grader.execution.TestStatus;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;
import katas.grader.parts.PartScore;
import katas.grader.parts.PartStatus;

/**
 * {@code junit/<kata>.xml}: one kata as a {@code <testsuite>} in the shape of Surefire's report
 * schema (surefire-test-report.xsd), which CI test reporters read, so that the learner's results show
 * beside the kit's own tests. Every test of every part is a {@code <testcase classname="<kata>.<part>">};
 * a speedup part, a part with no test to show, and a kata that could not be graded each become one
 * testcase of their own, so that nothing that cost points is missing from the CI view.
 */
public final class JUnitXml {

    private static final XMLOutputFactory FACTORY = XMLOutputFactory.newFactory();

    private JUnitXml() {
    }

    /**
     * One testcase as the XML shows it.
     *
     * @param verdict null for a pass
     * @param type the status behind the verdict: FAILED, TIMED_OUT, DOES_NOT_COMPILE...
     * @param out its {@code <system-out>}: what the learner's code printed, or the speedup measured
     * @param err its {@code <system-err>}: what stopped it (hang, limit), from the kata's incidents
     */
    private record Case(String classname, String name, long millis, Verdict verdict, String type, String message,
            String detail, String out, String err) {
    }

    /** The child element a testcase gets when it did not pass, as JUnit XML names them. */
    private enum Verdict {
        FAILURE("failure"), ERROR("error"), SKIPPED("skipped");

        final String element;

        Verdict(String element) {
            this.element = element;
        }
    }

    public static String render(KataResult kata) {
        List<Case> cases = cases(kata);
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter xml = FACTORY.createXMLStreamWriter(text);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            xml.writeStartElement("testsuite");
            xml.writeAttribute("name", clean(kata.id()));
            xml.writeAttribute("tests", String.valueOf(cases.size()));
            xml.writeAttribute("failures", count(cases, Verdict.FAILURE));
            xml.writeAttribute("errors", count(cases, Verdict.ERROR));
            xml.writeAttribute("skipped", count(cases, Verdict.SKIPPED));
            xml.writeAttribute("time", seconds(kata.durationMillis()));
            writeProperties(xml, kata, cases);
            for (Case c : cases) {
                writeCase(xml, c);
            }
            xml.writeCharacters("\n");
            xml.writeEndElement();
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot render the JUnit XML of " + kata.id(), e);
        }
        return text + "\n";
    }

    private static List<Case> cases(KataResult kata) {
        List<Case> cases = new ArrayList<>();
        if (kata.status() != KataStatus.GRADED) {
            // The learner's code not compiling is their failure; a broken kata or grader is not.
            Verdict verdict = kata.status() == KataStatus.DOES_NOT_COMPILE || kata.status() == KataStatus.TAMPERED
                    || kata.status() == KataStatus.REFUSED ? Verdict.FAILURE : Verdict.ERROR;
            String name = switch (kata.status()) {
                case DOES_NOT_COMPILE -> "the code compiles";
                case TAMPERED -> "the code leaves the grader's files alone";
                case REFUSED -> "the code behaves the same under the tests as anywhere else";
                case INVALID -> "the kata's files can be read";
                case ERROR, GRADED -> "the grader can grade the kata";
            };
            String message = kata.message() == null ? kata.status().name() : kata.message();
            cases.add(new Case(kata.id(), name, kata.durationMillis(), verdict, kata.status().name(),
                    firstLine(message), message, null, null));
            return cases;
        }
        for (PartScore part : kata.parts()) {
            String classname = kata.id() + "." + part.part().id();
            if (!part.tests().isEmpty() && part.speedup() == null) {
                part.tests().forEach(test -> cases.add(testCase(classname, test, kata.incidents())));
            } else {
                cases.add(partCase(classname, part));
            }
        }
        return cases;
    }

    private static Case testCase(String classname, TestRecord test, List<Incident> incidents) {
        String err = incidents.stream().filter(i -> test.name().equals(i.testName())).map(JUnitXml::incident)
                .collect(Collectors.joining("\n"));
        if (test.status() == TestStatus.PASSED) {
            return new Case(classname, test.name(), test.durationMillis(), null, null, null, null, test.output(), err);
        }
        String message = test.message() == null ? test.status().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                : test.message();
        return new Case(classname, test.name(), test.durationMillis(), Verdict.FAILURE, test.status().name(),
                firstLine(message), message, test.output(), err);
    }

    /** A speedup part, or a tests part with no test to show (not in this checkout, tampered, none ran). */
    private static Case partCase(String classname, PartScore part) {
        long millis = part.tests().stream().mapToLong(TestRecord::durationMillis).sum();
        String measured = part.part().detail(part);
        if (part.status() == PartStatus.FULL) {
            return new Case(classname, part.part().title(), millis, null, null, null, null, measured, null);
        }
        // A part left out of the maximum costs nothing: skipped, not failed.
        Verdict verdict = part.status().counts() ? Verdict.FAILURE : Verdict.SKIPPED;
        String reason = part.reason() == null ? part.status().name() : part.reason();
        return new Case(classname, part.part().title(), millis, verdict, part.status().name(), firstLine(reason),
                reason, measured, null);
    }

    /**
     * The kata's grade, and what belongs to no single testcase: the schema has no output of its own
     * for a suite, so notes and incidents outside any test are properties.
     */
    private static void writeProperties(XMLStreamWriter xml, KataResult kata, List<Case> cases)
            throws XMLStreamException {
        xml.writeCharacters("\n  ");
        xml.writeStartElement("properties");
        property(xml, "subject", kata.subject());
        property(xml, "status", kata.status().name());
        property(xml, "points", String.valueOf(kata.points()));
        property(xml, "maxPoints", String.valueOf(kata.max()));
        for (Incident incident : kata.incidents()) {
            if (cases.stream().noneMatch(c -> c.name().equals(incident.testName()))) {
                property(xml, "incident", incident(incident));
            }
        }
        for (String note : kata.notes()) {
            property(xml, "note", note);
        }
        xml.writeCharacters("\n  ");
        xml.writeEndElement();
    }

    private static void property(XMLStreamWriter xml, String name, String value) throws XMLStreamException {
        xml.writeCharacters("\n    ");
        xml.writeEmptyElement("property");
        xml.writeAttribute("name", name);
        xml.writeAttribute("value", clean(value));
    }

    private static void writeCase(XMLStreamWriter xml, Case c) throws XMLStreamException {
        boolean out = c.out() != null && !c.out().isEmpty();
        boolean err = c.err() != null && !c.err().isEmpty();
        boolean empty = c.verdict() == null && !out && !err;
        xml.writeCharacters("\n  ");
        if (empty) {
            xml.writeEmptyElement("testcase");
        } else {
            xml.writeStartElement("testcase");
        }
        xml.writeAttribute("classname", clean(c.classname()));
        xml.writeAttribute("name", clean(c.name()));
        xml.writeAttribute("time", seconds(c.millis()));
        if (c.verdict() != null) {
            xml.writeCharacters("\n    ");
            xml.writeStartElement(c.verdict().element);
            xml.writeAttribute("message", clean(c.message()));
            if (c.verdict() != Verdict.SKIPPED) {
                xml.writeAttribute("type", c.type());
            }
            xml.writeCharacters(clean(c.detail()));
            xml.writeEndElement();
        }
        if (out) {
            element(xml, "system-out", c.out());
        }
        if (err) {
            element(xml, "system-err", c.err());
        }
        if (!empty) {
            xml.writeCharacters("\n  ");
            xml.writeEndElement();
        }
    }

    private static void element(XMLStreamWriter xml, String name, String text) throws XMLStreamException {
        xml.writeCharacters("\n    ");
        xml.writeStartElement(name);
        xml.writeCharacters(clean(text));
        xml.writeEndElement();
    }

    private static String incident(Incident incident) {
        return incident.kind() + (incident.testName() == null ? "" : " in " + incident.testName()) + ": "
                + incident.message();
    }

    private static String count(List<Case> cases, Verdict verdict) {
        return String.valueOf(cases.stream().filter(c -> c.verdict() == verdict).count());
    }

    private static String seconds(long millis) {
        // The schema's time pattern has no minus sign.
        return String.format(Locale.ROOT, "%.3f", Math.max(0, millis) / 1000.0);
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("");
    }

    /**
     * The writer escapes markup but lets through characters XML 1.0 forbids (a learner's ANSI colour
     * codes, a NUL) and lone surrogates, which would make the whole file unreadable to a CI
     * reporter; they become U+FFFD.
     */
    static String clean(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> out.appendCodePoint(allowedInXml(cp) ? cp : 0xFFFD));
        return out.toString();
    }

    private static boolean allowedInXml(int cp) {
        return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD)
                || (cp >= 0x10000 && cp <= 0x10FFFF);
    }
}

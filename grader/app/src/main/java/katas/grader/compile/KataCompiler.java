package katas.grader.compile;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles with the JDK's own javac in this JVM: no Maven, no second JVM, about a second for a
 * kata. Annotation processing is off, so compiling never runs code from the classpath. What was
 * compiled once in this process is not compiled again ({@link CompileCache}).
 */
public final class KataCompiler {

    private static final int MAX_ERRORS_SHOWN = 5;

    private final JavaCompiler javac;
    private final CompileCache cache = new CompileCache();

    public KataCompiler() {
        this.javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("this Java runtime has no compiler: run the grader on a JDK 21+, not a JRE ("
                    + System.getProperty("java.home") + ")");
        }
    }

    /** Compiles {@code sources} against {@code classpath} into {@code out}. */
    public CompileResult compile(SourceSet sources, List<Path> classpath, Path out) throws IOException {
        Files.createDirectories(out);
        var files = sources.files();
        if (files.isEmpty()) {
            return new CompileResult(false, "no .java files found under " + sources.roots());
        }
        List<String> options = List.of("--release", "21", "-proc:none", "-g", "-encoding", "UTF-8", "-nowarn",
                "-Xlint:none");
        String key = CompileCache.key(options, sources.roots(), files, classpath);
        CompileCache.Entry cached = cache.get(key);
        if (cached != null) {
            CompileCache.write(cached.classes(), out);
            return cached.result();
        }
        CompileResult result = javac(files, classpath, out, options);
        cache.put(key, new CompileCache.Entry(result, result.ok() ? CompileCache.read(out) : Map.of()));
        return result;
    }

    /** Compilations this compiler did not have to run again, and those it ran. */
    public String cacheStatistics() {
        return cache.hits() + " reused, " + cache.misses() + " compiled";
    }

    private CompileResult javac(Collection<Path> files, List<Path> classpath, Path out, List<String> baseOptions)
            throws IOException {
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ENGLISH,
                StandardCharsets.UTF_8)) {
            List<String> options = new ArrayList<>(baseOptions);
            options.addAll(List.of("-d", out.toString()));
            if (!classpath.isEmpty()) {
                options.add("-classpath");
                options.add(classpath.stream().map(Path::toString)
                        .collect(Collectors.joining(java.io.File.pathSeparator)));
            }
            StringWriter noise = new StringWriter();
            boolean ok = javac.getTask(noise, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files))
                    .call();
            return new CompileResult(ok, ok ? "" : describe(diagnostics.getDiagnostics()));
        }
    }

    private static String describe(List<Diagnostic<? extends JavaFileObject>> diagnostics) {
        List<String> errors = diagnostics.stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(KataCompiler::line).toList();
        String shown = errors.stream().limit(MAX_ERRORS_SHOWN).collect(Collectors.joining("\n"));
        return errors.size() > MAX_ERRORS_SHOWN
                ? shown + "\n(and " + (errors.size() - MAX_ERRORS_SHOWN) + " more errors)" : shown;
    }

    private static String line(Diagnostic<? extends JavaFileObject> d) {
        String file = d.getSource() == null ? "" : Path.of(d.getSource().toUri()).getFileName() + ":" + d.getLineNumber()
                + ": ";
        return file + oneLine(d.getMessage(Locale.ENGLISH));
    }

    /**
     * javac's message on one line: "cannot find symbol (symbol: class ArrayList; location: class ReportBuilder)".
     * Its first line alone does not say which symbol.
     */
    private static String oneLine(String message) {
        List<String> lines = message.lines().map(l -> l.strip().replaceAll("\\s{2,}", " ")).filter(l -> !l.isEmpty())
                .toList();
        if (lines.size() <= 1) {
            return lines.isEmpty() ? "" : lines.get(0);
        }
        return lines.get(0) + " (" + String.join("; ", lines.subList(1, lines.size())) + ")";
    }
}

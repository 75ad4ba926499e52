/** What kata tests share; on the module path of a kata's fork, beside its runtime. */
module katas.testkit {
    requires transitive org.junit.jupiter.api;
    requires java.management;
    requires jdk.management;

    exports katas.testkit;
    exports katas.testkit.perf;
    exports katas.testkit.time;
}

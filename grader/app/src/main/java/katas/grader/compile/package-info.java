/** Compiles the code under grading and the tests, in-process with javac, into a fresh work folder. */
package katas.grader.compile;

/** The command line: picocli commands with no grading logic, exit codes named in one place. */
package katas.grader.cli;

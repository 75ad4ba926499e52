/** Grades a folder of student repositories into one gradebook, each student on their own. */
package katas.grader.batch;

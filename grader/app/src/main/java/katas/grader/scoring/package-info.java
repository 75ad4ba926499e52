/** A kata's result: its parts' scores, the incidents and notes of its run, and how grading went. */
package katas.grader.scoring;

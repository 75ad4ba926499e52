/** Proves that the files a learner must not edit (visible tests, manifests) are as the kit shipped them. */
package katas.grader.integrity;

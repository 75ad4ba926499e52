/** Finds the katas of a checkout and reads their manifests, mutants and hidden material. */
package katas.grader.discovery;

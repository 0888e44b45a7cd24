/** The label every container created by a test carries; its value is the test run's id. */
export const TEST_RUN_LABEL = "k8s-workshop.test-run";

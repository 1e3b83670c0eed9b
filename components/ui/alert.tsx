export { Alert } from "./confirm-dialog";

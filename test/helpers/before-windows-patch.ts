// Bundled in place of src/workflows/reservation-windows.ts (stack.ts, `beforeWindowsPatch`): the
// workflows as they ran before the patch `person-keeps-reservation-windows`, which never asked
// for it. A worker on this code writes histories without its marker, as the earlier release did;
// a worker on the product's code then continues them, as a deploy would.
export const PERSON_KEEPS_RESERVATION_WINDOWS_PATCH = 'person-keeps-reservation-windows';

export function personKeepsWindows(): boolean {
  return false;
}

/**
 * `<base>-headroom-`: the name prefix of the instances Headroom creates (read replicas, Aurora
 * readers), shared by the actuators that name them and the IAM grants that scope to them. RDS
 * identifiers are lower case, at most 63 characters, with no double or trailing hyphen: a long
 * base is cut so `-headroom-NN` fits.
 */
export function managedPrefix(base: string): string {
  const cut = base
    .toLowerCase()
    .slice(0, 63 - '-headroom-'.length - 2)
    .replace(/-+$/, '');
  return `${cut}-headroom-`;
}

/** Variables that are secret without being listed in secret_vars (Ansible's password variables). */
export const IMPLICIT_SECRET_NAMES: readonly string[] = [
  'ansible_become_password',
  'ansible_become_pass',
  'ansible_password',
  'ansible_ssh_pass',
  'ansible_sudo_pass',
];

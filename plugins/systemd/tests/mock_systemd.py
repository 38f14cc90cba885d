'''A python-dbusmock template serving systemd's manager for npd-systemd's tests.

The units are described by a JSON file (parameter "units"), read again on every
LoadUnit, so that a test changes a unit's state by rewriting the file:
  {"kubelet.service": {"Unit": {"ActiveState": "active", ...},
                       "Service": {"NRestarts": 3, ...}},
   "gone.service": "NoSuchUnit", "stuck.service": "Hang"}
LoadUnit of a unit described as "Hang" answers nothing for a minute, and nothing
else meanwhile. A unit not in the file has LoadState not-found, as systemd answers for a name it
has no file for. Values take the D-Bus type systemd gives each property; a value of
another JSON type is sent as it is (a string where systemd sends a number), which is
how tests send malformed replies. When loaded, the template writes the file named by
parameter "ready": the bus name is owned by then.
'''

import json
import time

import dbus

from dbusmock import mockobject

BUS_NAME = 'org.freedesktop.systemd1'
MAIN_OBJ = '/org/freedesktop/systemd1'
MAIN_IFACE = 'org.freedesktop.systemd1.Manager'
SYSTEM_BUS = True

UNIT_IFACE = 'org.freedesktop.systemd1.Unit'
SERVICE_IFACE = 'org.freedesktop.systemd1.Service'

UINT64 = ('TimestampMonotonic', 'Timestamp')
UINT32 = ('NRestarts',)


def load(mock, parameters):
    mock.units_file = parameters['units']
    mock.AddProperties(MAIN_IFACE, {'Version': dbus.String('252')})
    with open(parameters['ready'], 'w', encoding='utf-8') as ready:
        ready.write('ready\n')


def typed(name, value):
    '''The D-Bus value systemd would send for property `name`.'''
    if isinstance(value, bool):
        return dbus.Boolean(value)
    if isinstance(value, int):
        if name in UINT32:
            return dbus.UInt32(value)
        if name.endswith(UINT64):
            return dbus.UInt64(value)
        return dbus.Int32(value)
    if isinstance(value, str):
        return dbus.String(value)
    if isinstance(value, list):
        return dbus.Array([dbus.String(v) for v in value], signature='s')
    raise ValueError(f'{name}: cannot send {value!r}')


def escape(name):
    '''A unit name as a bus path element, as systemd escapes it.'''
    return ''.join(c if c.isalnum() else f'_{ord(c):02x}' for c in name)


@dbus.service.method(MAIN_IFACE, in_signature='s', out_signature='o')
def LoadUnit(self, name):
    with open(self.units_file, encoding='utf-8') as f:
        units = json.load(f)
    described = units.get(str(name))
    if described == 'NoSuchUnit':
        raise dbus.exceptions.DBusException(
            f'Unit {name} not loaded.', name='org.freedesktop.systemd1.NoSuchUnit')
    if described == 'Hang':
        time.sleep(60)
    if described is None:
        described = {'Unit': {'LoadState': 'not-found', 'ActiveState': 'inactive',
                              'SubState': 'dead'}}
    path = f'{MAIN_OBJ}/unit/{escape(str(name))}'
    if path not in mockobject.objects:
        self.AddObject(path, UNIT_IFACE, {}, [])
    obj = mockobject.objects[path]
    obj.props = {}
    for key, iface in (('Unit', UNIT_IFACE), ('Service', SERVICE_IFACE)):
        if key in described:
            obj.props[iface] = dbus.Dictionary(
                {k: typed(k, v) for k, v in described[key].items()}, signature='sv')
    return dbus.ObjectPath(path)
